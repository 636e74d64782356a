"""The case lifecycle (`visits.lifecycle`), rule by rule: every step from every status the
table allows it in, every refusal (with proof that nothing changed), deadlines counted in
working days, tracking numbers and paths.

Cases reach a state only through the lifecycle functions: a story (tests/stories.py,
fixture `story`) is a script of such calls, told from Monday 2 March 2026 on that year's
calendar; the messages are matched in English."""

import pytest


@pytest.fixture(autouse=True)
def rules_in_2026(english, calendar_2026, deadlines):
    """Every test here reads English, counts in the 2026 calendar, with pinned deadlines."""


@pytest.fixture
def actor(staff):
    """Who takes the steps of every story here."""
    return staff
