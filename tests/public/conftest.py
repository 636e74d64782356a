"""Fixtures for the public pages' tests."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_shared_cache(db):
    """The database cache (stored pages, rate-limit counters) outlives a test's
    transaction: every test starts and ends without it."""
    cache.clear()
    yield
    cache.clear()
