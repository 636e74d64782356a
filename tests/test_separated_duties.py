"""The three duties of administration (三员): the district office (users, settings, the
network's records), the security administrator (lockouts, sessions, second factors, the
review of reveals) and the auditor (the audit log, read only). Each sees in admin what
their duty opens and nothing else; no account holds two; nobody grants themselves more."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from accounts import second_factor
from audit.models import AuditAction, AuditEntry
from privacy.models import DataRequest
from visits.models import Case
from workstations import roles

from .admin_pages import admin_url
from .factories import UserFactory


def group(name: str) -> Group:
    return Group.objects.get(name=name)


@pytest.fixture
def log(staff):
    for action in (AuditAction.REVEAL, AuditAction.DENIED, AuditAction.EXPORT, AuditAction.ADMIN):
        AuditEntry.objects.create(user=staff, action=action, target=f"XC {action}")


def listed_actions(client) -> set[str]:
    response = client.get(admin_url(AuditEntry, "changelist"))
    assert response.status_code == 200
    return {entry.action for entry in response.context["cl"].result_list}


def test_the_auditor_reads_the_whole_log_and_the_security_administrator_its_security_lines(
    sign_in, auditor, security_administrator, log
):
    assert listed_actions(sign_in(auditor)) >= {"reveal", "denied", "export", "admin"}
    assert listed_actions(sign_in(security_administrator)) == {"reveal", "denied"}


def test_the_security_administrators_export_holds_only_the_lines_they_review(
    sign_in, security_administrator, log
):
    response = sign_in(security_administrator).get(reverse("admin:audit_auditentry_export"))
    exported = b"".join(response.streaming_content).decode()

    assert "XC reveal" in exported and "XC denied" in exported
    assert "XC export" not in exported and "XC admin" not in exported


@pytest.mark.parametrize(
    ("holder", "model", "status"),
    [
        ("administrator", AuditEntry, 403),
        ("administrator", AccessAttempt, 403),
        ("auditor", AccessAttempt, 403),
        ("auditor", User, 403),
        ("auditor", Case, 403),
        ("security_administrator", Case, 403),
        ("security_administrator", DataRequest, 403),
        ("auditor", DataRequest, 403),
        ("administrator", DataRequest, 200),
        ("security_administrator", AccessAttempt, 200),
        ("security_administrator", User, 200),
        ("auditor", AuditEntry, 200),
    ],
)
def test_each_duty_opens_its_own_lists_only(sign_in, request, holder, model, status):
    client = sign_in(request.getfixturevalue(holder))

    assert client.get(admin_url(model, "changelist")).status_code == status


def test_the_security_administrator_reads_a_user_but_cannot_change_them(
    sign_in, security_administrator, staff
):
    client = sign_in(security_administrator)

    page = client.get(admin_url(User, "change", staff.pk))
    posted = client.post(admin_url(User, "change", staff.pk), {"username": "renamed"})

    assert page.status_code == 200 and page.context["has_change_permission"] is False
    assert posted.status_code == 403
    assert User.objects.get(pk=staff.pk).username == staff.username


def test_only_the_security_administrator_ends_sessions_and_resets_second_factors(
    administrator, security_administrator, auditor
):
    assert [roles.may_end_sessions(u) for u in (administrator, security_administrator, auditor)] == [
        False, True, False,
    ]  # fmt: skip
    assert [
        roles.may_reset_second_factors(u) for u in (administrator, security_administrator, auditor)
    ] == [False, True, False]


def test_the_office_carries_no_permission_of_the_other_two_duties(db):
    office = group(roles.ADMINISTRATORS).permissions.values_list("content_type__app_label")

    assert not {label for (label,) in office} & {"audit", "axes"}
    assert (
        not group(roles.SECURITY_ADMINISTRATORS)
        .permissions.filter(content_type__app_label="visits")
        .exists()
    )
    assert set(group(roles.AUDITORS).permissions.values_list("codename", flat=True)) == {
        "view_auditentry", "read_whole_log",
    }  # fmt: skip


def test_each_of_the_three_must_give_a_second_factor(
    settings, administrator, security_administrator, auditor, staff
):
    settings.SECOND_FACTOR_FOR_ADMINISTRATORS = True

    assert all(second_factor.must_have(u) for u in (administrator, security_administrator, auditor))
    assert not second_factor.must_have(staff)


# --- no account holds two duties --------------------------------------------------------


@pytest.mark.parametrize("second", [roles.SECURITY_ADMINISTRATORS, roles.AUDITORS])
def test_adding_a_second_duty_to_an_account_is_refused_whichever_side_adds_it(
    administrator, second
):
    # Refused inside the adding transaction, which rolls back.
    with pytest.raises(ValidationError), transaction.atomic():
        administrator.groups.add(group(second))
    with pytest.raises(ValidationError), transaction.atomic():
        group(second).user_set.add(administrator)

    assert list(administrator.groups.values_list("name", flat=True)) == [roles.ADMINISTRATORS]


def test_a_duty_holder_may_still_belong_to_other_groups(auditor):
    auditor.groups.add(Group.objects.create(name="读书会"))

    assert auditor.groups.count() == 2


def test_the_users_page_refuses_two_duties_beside_the_field_and_changes_nothing(
    admin_client, staff
):
    page = admin_client.get(admin_url(User, "change", staff.pk))
    data = {**page.context["adminform"].form.initial, "username": staff.username}
    data = {k: v for k, v in data.items() if v is not None and k not in {"password"}}
    duties = [group(roles.SECURITY_ADMINISTRATORS).pk, group(roles.AUDITORS).pk]

    response = admin_client.post(
        admin_url(User, "change", staff.pk), {**data, "groups": duties, "_save": "1"}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["groups"]
    assert not roles.combined_duties(staff.groups.values_list("name", flat=True))
    assert not staff.groups.filter(pk__in=duties).exists()


# --- nobody grants themselves more --------------------------------------------------------


def test_the_office_cannot_make_anyone_a_superuser_nor_change_its_own_roles(
    admin_client, administrator, staff
):
    own = admin_client.get(admin_url(User, "change", administrator.pk)).context["adminform"]
    other = admin_client.get(admin_url(User, "change", staff.pk)).context["adminform"]

    assert {"groups", "is_superuser", "user_permissions"} <= set(own.readonly_fields)
    assert {"is_superuser", "user_permissions"} <= set(other.readonly_fields)
    assert "groups" not in other.readonly_fields


def test_a_group_the_office_makes_cannot_carry_the_audit_logs_permission(admin_client):
    read_log = Permission.objects.get(codename="view_auditentry")

    response = admin_client.post(
        admin_url(Group, "add"), {"name": "查日志", "permissions": [read_log.pk]}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["permissions"]
    assert not Group.objects.filter(name="查日志").exists()


def test_the_role_groups_permissions_are_the_codes_not_the_offices(admin_client):
    page = admin_client.get(admin_url(Group, "change", group(roles.AUDITORS).pk))

    assert {"name", "permissions"} <= set(page.context["adminform"].readonly_fields)


# --- on the site ---------------------------------------------------------------------------


@pytest.mark.parametrize("holder", ["security_administrator", "auditor"])
def test_the_security_administrator_and_the_auditor_are_sent_from_the_desk_to_admin(
    sign_in, request, holder
):
    response = sign_in(request.getfixturevalue(holder)).get(reverse("desk:dashboard"))

    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


def test_the_admin_index_shows_the_office_its_warnings_and_the_others_not(
    sign_in, administrator, auditor
):
    assert 'id="department-record-link"' in sign_in(administrator).get("/admin/").content.decode()
    assert 'id="department-record-link"' not in sign_in(auditor).get("/admin/").content.decode()


def test_a_superuser_is_the_break_glass_account_holding_all_three(db):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)

    assert roles.is_administrator(root) and roles.is_security_administrator(root)
    assert roles.is_auditor(root) and not roles.oversees_only(root)


def test_the_office_can_neither_change_nor_set_the_password_of_an_account_that_watches_it(
    admin_client, auditor
):
    before = User.objects.values("password", "is_active").get(pk=auditor.pk)

    page = admin_client.get(admin_url(User, "change", auditor.pk))
    password = admin_client.post(
        reverse("admin:auth_user_password_change", args=[auditor.pk]),
        {"password1": "another horse battery", "password2": "another horse battery"},
    )
    disabled = admin_client.post(admin_url(User, "change", auditor.pk), {"is_active": ""})

    assert page.context["has_change_permission"] is False
    assert password.status_code == 403 and disabled.status_code == 403
    assert User.objects.values("password", "is_active").get(pk=auditor.pk) == before


def test_the_office_cannot_appoint_a_security_administrator_or_an_auditor(admin_client, staff):
    form = admin_client.get(admin_url(User, "change", staff.pk)).context["adminform"].form
    offered = set(form.fields["groups"].queryset.values_list("name", flat=True))

    assert roles.STAFF in offered
    assert not offered & {roles.SECURITY_ADMINISTRATORS, roles.AUDITORS}


def test_the_office_cannot_delete_a_role_group(admin_client):
    auditors = group(roles.AUDITORS)

    page = admin_client.post(admin_url(Group, "delete", auditors.pk), {"post": "yes"})
    action = admin_client.post(
        admin_url(Group, "changelist"),
        {"action": "delete_selected", "_selected_action": [auditors.pk], "post": "yes"},
    )

    assert page.status_code == 403 and action.status_code in (200, 403)
    assert Group.objects.filter(pk=auditors.pk).exists()


def test_the_security_administrator_lifts_lockouts_but_cannot_wipe_the_sign_in_records(
    security_administrator,
):
    user = User.objects.get(pk=security_administrator.pk)

    assert user.has_perm("axes.delete_accessattempt") and user.has_perm("axes.view_accesslog")
    assert not user.has_perm("axes.delete_accesslog")
    assert not user.has_perm("axes.delete_accessfailurelog")
