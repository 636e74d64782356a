"""Database rules of members: every constraint is enforced by the database itself."""

from datetime import date, time

import pytest
from django.db.models import ProtectedError
from django.utils import translation

from members.models import ActivityGroup, Member, Sector
from rosters.models import DutyAssignment

from ..database_rules import refused_by_database
from ..factories import (
    DutyAssignmentFactory,
    DutyShiftFactory,
    MemberFactory,
    UserFactory,
)

DAY = date(2026, 3, 3)
Attendance = DutyAssignment.Attendance


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def shift(workstation):
    return DutyShiftFactory(workstation=workstation, date=DAY, starts_at=time(9), ends_at=time(12))


@pytest.fixture
def member(workstation):
    return MemberFactory(name="张委员", home_workstation=workstation)


@pytest.fixture
def colleague(workstation):
    return MemberFactory(name="王委员", home_workstation=workstation)


@pytest.fixture
def assignment(shift, member):
    return DutyAssignmentFactory(shift=shift, member=member)


# --- sectors, groups, members --------------------------------------------------------


def test_two_sectors_with_one_name_are_refused_by_the_database(db):
    Sector.objects.create(name="教育界")

    refused_by_database(
        "members_sector.name|members_sector_name_key", lambda: Sector.objects.create(name="教育界")
    )


def test_two_activity_groups_with_one_name_are_refused_by_the_database(db):
    ActivityGroup.objects.create(name="法制组")

    refused_by_database(
        "members_activitygroup.name|members_activitygroup_name_key",
        lambda: ActivityGroup.objects.create(name="法制组"),
    )


def test_one_login_cannot_belong_to_two_members(member, colleague):
    user = UserFactory()
    Member.objects.filter(pk=member.pk).update(user=user)

    refused_by_database(
        "members_member.user_id|members_member_user_id_key",
        Member.objects.filter(pk=colleague.pk),
        user=user,
    )


def test_a_sector_with_members_cannot_be_deleted(member):
    with pytest.raises(ProtectedError):
        member.sector.delete()

    assert Sector.objects.filter(pk=member.sector_id).exists()


# --- shifts ------------------------------------------------------------------------------
