"""The desk (the dashboard, the case page and its steps) is driven by staff of this
workstation; the cases it shows are told by the stories of tests/stories.py (fixtures
`world` and `story`)."""

import pytest


@pytest.fixture
def client(sign_in, staff):
    """Staff of this workstation, signed in, reading the pages in English."""
    return sign_in(staff)
