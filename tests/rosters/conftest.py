"""A morning shift of this workstation on Tuesday 3 March 2026, a member on duty in it and
a colleague: what the database rules of rosters (and of members, tests/members) are tried
on; and the group a rotation is planned for."""

from datetime import date, time

import pytest

from ..factories import (
    ActivityGroupFactory,
    DutyAssignmentFactory,
    DutyShiftFactory,
    MemberFactory,
)

DAY = date(2026, 3, 3)


@pytest.fixture
def shift(workstation):
    return DutyShiftFactory(workstation=workstation, date=DAY, starts_at=time(9), ends_at=time(12))


@pytest.fixture
def member(workstation):
    """A member without a login (not the `member` persona of tests/conftest.py)."""
    return MemberFactory(name="张委员", home_workstation=workstation)


@pytest.fixture
def colleague(workstation):
    return MemberFactory(name="王委员", home_workstation=workstation)


@pytest.fixture
def assignment(shift, member):
    return DutyAssignmentFactory(shift=shift, member=member)


@pytest.fixture
def legal(db):
    """The legal group (法制组) and its three members, whose turns a rotation plans."""
    group = ActivityGroupFactory(name="法制组")
    for name in ("甲", "乙", "丙"):
        MemberFactory(name=name, activity_group=group)
    return group
