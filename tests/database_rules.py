"""Asserting that the database itself refuses a write."""

import pytest
from django.db import IntegrityError, transaction


def refused_by_database(rule: str, queryset_or_call, **changes) -> None:
    """Assert the database refuses the write by `rule` (a pattern matching the error of
    SQLite or PostgreSQL); the test's transaction stays usable."""
    with pytest.raises(IntegrityError, match=rule), transaction.atomic():
        if changes:
            queryset_or_call.update(**changes)
        else:
            queryset_or_call()
