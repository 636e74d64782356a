"""The three role groups and the questions later code asks about a user."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.test import RequestFactory

from tests.factories import DepartmentFactory, UserFactory, WorkstationFactory
from workstations import roles
from workstations.people import PERSON_PREFETCH

ROLE_NAMES = {roles.ADMINISTRATORS, roles.STAFF, roles.MEMBERS}
ACTIONS = ("add", "change", "delete", "view")


def _fresh(user):
    """The user as the next request loads it: Django caches permissions on the object."""
    return get_user_model().objects.get(pk=user.pk)


def _may_in_admin(user) -> set[str]:
    """What each registered ModelAdmin lets this user do, as "app.action_model"."""
    request = RequestFactory().get("/admin/")
    request.user = _fresh(user)
    return {
        f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        for model, model_admin in admin.site._registry.items()
        for action in ACTIONS
        if getattr(model_admin, f"has_{action}_permission")(request)
    } | ({"admin site"} if admin.site.has_permission(request) else set())


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


def test_administrators_may_open_admin_and_hold_every_permission_on_every_model_it_shows(
    administrator,
):
    # Each ModelAdmin may still refuse an action (rows the lifecycle writes are view-only):
    # the group must not be what stops the administrator, for any app registered in admin
    # but the security records and the audit log (the other two duties', 三员).
    roles.ensure_groups()
    user = _fresh(administrator)

    for model in admin.site._registry:
        if model._meta.app_label in {"audit", "axes"}:
            assert not any(user.has_perm(f"{model._meta.app_label}.{a}_{model._meta.model_name}")
                           for a in ACTIONS)  # fmt: skip
            continue
        for action in ACTIONS:
            code = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
            assert user.has_perm(code), code
    # Permissions, sessions and the admin log are not theirs to edit.
    assert not user.has_perm("auth.change_permission")
    assert not user.has_perm("admin.delete_logentry")
    assert not user.has_perm("sessions.change_session")
    assert "admin site" in _may_in_admin(administrator)


@pytest.mark.parametrize("persona", ["staff", "other_staff", "member_user"])
def test_liaisons_and_members_may_do_nothing_in_admin_even_with_staff_status(request, persona):
    # Their pages ask the role questions below; admin scopes nothing, so it offers them nothing.
    user = request.getfixturevalue(persona)
    user.is_staff = True
    user.save()
    roles.ensure_groups()

    assert _may_in_admin(user) == set()
    assert _fresh(user).get_all_permissions() == set()


def test_ensure_groups_twice_creates_no_duplicate_and_changes_nothing(db):
    roles.ensure_groups()
    groups_before = Group.objects.count()
    before = _group_snapshot()

    roles.ensure_groups()

    assert Group.objects.count() == groups_before
    assert _group_snapshot() == before
    assert Group.objects.filter(name=roles.STAFF).count() == 1


def test_ensure_groups_recreates_a_deleted_group_with_its_powers(db):
    Group.objects.filter(name=roles.ADMINISTRATORS).delete()
    user = UserFactory(username="new-admin", is_staff=True)

    roles.ensure_groups()
    user.groups.add(Group.objects.get(name=roles.ADMINISTRATORS))

    assert {"admin site", "visits.change_case"} <= _may_in_admin(user)


def test_ensure_groups_takes_back_a_permission_given_to_liaisons_by_hand(staff):
    Group.objects.get(name=roles.STAFF).permissions.add(
        Permission.objects.get(codename="delete_case")
    )
    assert _fresh(staff).has_perm("visits.delete_case")

    roles.ensure_groups()

    assert not _fresh(staff).has_perm("visits.delete_case")


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
    assert not member_user.has_perm("rosters.view_dutyshift")


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


def test_groups_workstations_and_departments_are_read_in_one_query(
    workstation, other_workstation, django_assert_num_queries
):
    # A user both staff of two workstations and a department's liaison.
    user = UserFactory(username="two-hats")
    user.groups.add(*Group.objects.filter(name__in=(roles.STAFF, roles.DEPARTMENT_LIAISONS)))
    workstation.staff.add(user)
    other_workstation.staff.add(user)
    department = DepartmentFactory()
    department.liaisons.add(user)
    DepartmentFactory().liaisons.add(UserFactory())  # somebody else's
    user = type(user).objects.get(pk=user.pk)

    with django_assert_num_queries(1):
        assert roles.is_workstation_staff(user) and roles.is_department_liaison(user)
        assert not roles.is_administrator(user)
        assert roles.staffed_workstation_ids(user) == {workstation.pk, other_workstation.pk}
        assert roles.liaison_department_ids(user) == {department.pk}
        assert roles.works_for_a_workstation(user)


def test_a_user_prefetched_with_what_they_hold_is_asked_without_a_query(
    staff, workstation, django_assert_num_queries
):
    user = type(staff).objects.prefetch_related(*PERSON_PREFETCH).get(pk=staff.pk)

    with django_assert_num_queries(0):
        assert roles.is_workstation_staff(user)
        assert roles.staffed_workstation_ids(user) == {workstation.pk}
        assert roles.liaison_department_ids(user) == set()


@pytest.mark.parametrize(
    "persona",
    ["administrator", "superuser", "staff", "member_user", "inactive_staff", "liaison"],
)
def test_works_for_a_workstation_says_whether_there_is_one_to_work_for(
    request, persona, workstation, other_workstation
):
    user = request.getfixturevalue(persona)

    assert roles.works_for_a_workstation(user) is roles.workstations_worked_for(user).exists()


def test_staff_of_deactivated_workstations_only_work_for_none(staff, workstation):
    assert roles.works_for_a_workstation(staff)
    workstation.is_active = False
    workstation.save()

    assert not roles.works_for_a_workstation(type(staff).objects.get(pk=staff.pk))


@pytest.mark.parametrize(
    ("persona", "handles_this", "handles_other"),
    [
        ("administrator", True, True),
        ("superuser", True, True),
        ("staff", True, False),
        ("other_staff", False, True),
        ("member_user", False, False),
        ("inactive_staff", False, False),
        ("inactive_administrator", False, False),
    ],
)
def test_each_persona_works_for_the_workstations_it_handles_and_no_other(
    request, persona, handles_this, handles_other, workstation, other_workstation
):
    user = request.getfixturevalue(persona)
    handled = ((workstation, handles_this), (other_workstation, handles_other))
    expected = {ws for ws, handles in handled if handles}

    assert roles.handles_workstation(user, workstation.pk) is handles_this
    assert roles.handles_workstation(user, other_workstation.pk) is handles_other
    assert set(roles.workstations_worked_for(user)) == expected


def test_the_anonymous_visitor_works_for_no_workstation(workstation):
    assert roles.handles_workstation(AnonymousUser(), workstation.pk) is False
    assert not roles.workstations_worked_for(AnonymousUser()).exists()


def test_a_deactivated_workstation_is_worked_for_by_nobody_but_still_handled(
    staff, administrator, workstation
):
    workstation.is_active = False
    workstation.save()

    assert not roles.workstations_worked_for(staff).exists()
    assert workstation not in roles.workstations_worked_for(administrator)
    # Its past visits and cases stay with the staff who handled them.
    assert roles.handles_workstation(staff, workstation.pk)
