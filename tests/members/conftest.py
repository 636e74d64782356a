"""The members' database rules are tried on the rosters' shift and members: one set of
fixtures for both (tests/rosters/conftest.py)."""

from ..rosters.conftest import assignment, colleague, member, shift

__all__ = ["assignment", "colleague", "member", "shift"]
