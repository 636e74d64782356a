"""The three role groups and the questions later code asks about a user."""

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser, Group, Permission

from tests.factories import UserFactory, WorkstationFactory
from workstations import roles

ROLE_NAMES = {roles.ADMINISTRATORS, roles.STAFF, roles.MEMBERS}

# Liaisons and members never use admin (admin_site.py): their groups carry no permissions.
STAFF_PERMISSIONS: set[str] = set()
MEMBER_PERMISSIONS: set[str] = set()


PROJECT_APPS = ("workstations", "members", "visits", "workdays", "audit", "axes")
PROJECT_APPS += ("activities", "points")


def _administrator_permissions() -> set[str]:
    """Add, change, delete and view on every model of the project's apps, users and groups."""
    models = [model for label in PROJECT_APPS for model in apps.get_app_config(label).get_models()]
    models += [apps.get_model("auth", "User"), apps.get_model("auth", "Group")]
    return {
        f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        for model in models
        for action in ("add", "change", "delete", "view")
    }


def _codes(group: Group) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def _group_snapshot() -> dict[str, set[str]]:
    return {group.name: _codes(group) for group in Group.objects.filter(name__in=ROLE_NAMES)}


@pytest.fixture
def inactive_staff(workstation):
    user = UserFactory(username="retired-liaison", role=roles.STAFF, is_active=False)
    workstation.staff.add(user)
    return user


@pytest.fixture
def inactive_administrator(db):
    return UserFactory(
        username="retired-admin", is_staff=True, is_active=False, role=roles.ADMINISTRATORS
    )


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


# --- ensure_groups ----------------------------------------------------------------


def test_migrating_creates_the_three_role_groups(db):
    assert set(Group.objects.filter(name__in=ROLE_NAMES).values_list("name", flat=True)) == (
        ROLE_NAMES
    )


def test_administrators_get_every_permission_of_the_project_apps_and_user_management(db):
    roles.ensure_groups()

    codes = _codes(Group.objects.get(name=roles.ADMINISTRATORS))

    assert codes == _administrator_permissions()
    # workstations 2, members 6, visits 5, workdays 2, audit 1, axes 4, activities 3,
    # points 5, auth 2 models.
    assert len(codes) == 4 * (2 + 6 + 5 + 2 + 1 + 4 + 3 + 5 + 2)
    # Permissions, sessions and the admin log are not theirs to edit.
    assert "auth.change_permission" not in codes
    assert "admin.delete_logentry" not in codes


def test_workstation_staff_get_exactly_their_permissions(db):
    roles.ensure_groups()

    assert _codes(Group.objects.get(name=roles.STAFF)) == STAFF_PERMISSIONS


def test_members_get_exactly_their_permissions(db):
    roles.ensure_groups()

    assert _codes(Group.objects.get(name=roles.MEMBERS)) == MEMBER_PERMISSIONS


def test_ensure_groups_twice_creates_no_duplicate_and_changes_nothing(db):
    roles.ensure_groups()
    groups_before = Group.objects.count()
    before = _group_snapshot()

    roles.ensure_groups()

    assert Group.objects.count() == groups_before
    assert _group_snapshot() == before
    assert Group.objects.filter(name=roles.STAFF).count() == 1


def test_ensure_groups_recreates_a_deleted_group(db):
    Group.objects.filter(name=roles.MEMBERS).delete()

    roles.ensure_groups()

    assert _codes(Group.objects.get(name=roles.MEMBERS)) == MEMBER_PERMISSIONS


def test_ensure_groups_restores_a_group_whose_permissions_were_edited(db):
    staff_group = Group.objects.get(name=roles.STAFF)
    staff_group.permissions.add(Permission.objects.get(codename="delete_case"))

    roles.ensure_groups()

    assert _codes(staff_group) == STAFF_PERMISSIONS


def test_ensure_groups_keeps_the_people_in_each_group(staff, administrator):
    roles.ensure_groups()

    assert set(Group.objects.get(name=roles.STAFF).user_set.all()) == {staff}
    assert set(Group.objects.get(name=roles.ADMINISTRATORS).user_set.all()) == {administrator}


def test_the_personas_hold_their_groups_permissions(administrator, staff, member_user):
    assert administrator.has_perm("visits.add_case")
    assert administrator.has_perm("workdays.change_specialday")
    assert administrator.has_perm("auth.add_user")
    assert not staff.has_perm("visits.view_visit")
    assert not staff.has_perm("visits.change_case")
    assert not staff.has_perm("workstations.change_workstation")
    assert not member_user.has_perm("visits.view_case")
    assert not member_user.has_perm("members.view_dutyshift")


# --- the questions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected_administrator", "expected_staff"),
    [
        ("administrator", True, False),
        ("staff", False, True),
        ("other_staff", False, True),
        ("member_user", False, False),
        ("superuser", True, False),
        ("inactive_staff", False, False),
        ("inactive_administrator", False, False),
    ],
)
def test_each_persona_is_an_administrator_or_staff_as_intended(
    request, persona, expected_administrator, expected_staff
):
    user = request.getfixturevalue(persona)

    assert roles.is_administrator(user) is expected_administrator
    assert roles.is_workstation_staff(user) is expected_staff


def test_the_anonymous_visitor_is_neither_administrator_nor_staff(db):
    anonymous = AnonymousUser()

    assert roles.is_administrator(anonymous) is False
    assert roles.is_workstation_staff(anonymous) is False
    assert roles.staffed_workstation_ids(anonymous) == set()


def test_staff_handle_only_their_own_workstation(staff, workstation, other_workstation):
    assert roles.staffed_workstation_ids(staff) == {workstation.pk}


def test_staff_of_another_workstation_handle_only_that_one(other_staff, other_workstation):
    assert roles.staffed_workstation_ids(other_staff) == {other_workstation.pk}


def test_staff_of_two_workstations_handle_both(staff, workstation, other_workstation):
    other_workstation.staff.add(staff)

    assert roles.staffed_workstation_ids(staff) == {workstation.pk, other_workstation.pk}


@pytest.mark.parametrize("persona", ["administrator", "member_user", "superuser", "inactive_staff"])
def test_people_who_are_not_active_staff_handle_no_workstation(
    request, persona, workstation, other_workstation
):
    user = request.getfixturevalue(persona)
    # Even when listed on a workstation, only active members of the staff group count.
    workstation.staff.add(user)

    assert roles.staffed_workstation_ids(user) == set()


def test_a_listed_liaison_outside_the_staff_group_handles_nothing(workstation):
    user = UserFactory(username="not-yet-in-group")
    workstation.staff.add(user)

    assert roles.is_workstation_staff(user) is False
    assert roles.staffed_workstation_ids(user) == set()


def test_a_staff_member_listed_nowhere_handles_nothing(db):
    user = UserFactory(username="new-liaison", role=roles.STAFF)
    WorkstationFactory()

    assert roles.is_workstation_staff(user) is True
    assert roles.staffed_workstation_ids(user) == set()


def test_asking_both_role_questions_reads_the_groups_once(staff, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert roles.is_administrator(staff) is False
        assert roles.is_workstation_staff(staff) is True
        assert roles.is_workstation_staff(staff) is True
