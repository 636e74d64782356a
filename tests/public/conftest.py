"""Fixtures for the public pages' tests."""

import pytest


@pytest.fixture(autouse=True)
def _empty_shared_cache(empty_shared_cache):
    """Every public page test starts and ends without the shared cache."""
