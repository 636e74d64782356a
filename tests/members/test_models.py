"""Database rules of members: every constraint is enforced by the database itself."""

import pytest
from django.db.models import ProtectedError

from members.models import ActivityGroup, Member, Sector

from ..database_rules import refused_by_database
from ..factories import UserFactory

pytestmark = pytest.mark.usefixtures("english")


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
