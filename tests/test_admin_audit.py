"""Every change made in admin is written to the audit log: who, when, from where, which
record and which fields, never the values (a visitor's phone, a password, a title)."""

from datetime import date

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse

from audit.admin import AuditedAdminMixin
from audit.models import AuditEntry
from members.models import Member, Sector
from rosters.models import DutyShift
from visits.models import Case, Visit
from workdays.models import SpecialDay

from .admin_pages import add_visit, admin_url, management_data
from .factories import MemberFactory, SectorFactory, open_case

User = get_user_model()


@pytest.fixture
def admin_client(sign_in, administrator):
    return sign_in(administrator, REMOTE_ADDR="10.7.7.7")


def _entries() -> list[tuple[str, str, str]]:
    return list(AuditEntry.objects.order_by("pk").values_list("action", "target", "detail"))


def _the_entry(administrator) -> AuditEntry:
    entry = AuditEntry.objects.get()
    assert (entry.user, entry.ip_address, entry.action) == (
        administrator,
        "10.7.7.7",
        AuditEntry.Action.ADMIN,
    )
    return entry


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_every_registered_model_admin_writes_its_changes_to_the_audit_log(model):
    assert isinstance(admin.site._registry[model], AuditedAdminMixin)


def test_adding_a_visit_in_admin_is_audited_without_the_visitors_details(
    admin_client, administrator, workstation
):
    add_visit(admin_client, workstation, visitor_address="长乐西路2号")

    visit = Visit.objects.get()
    entry = _the_entry(administrator)
    assert (entry.target, entry.detail) == (f"visit {visit.pk}", "added")


def test_changing_a_case_in_admin_records_which_fields_changed_not_their_values(
    admin_client, administrator, workstation
):
    case = open_case(workstation=workstation, title="电梯停运")
    change_page = admin_client.get(admin_url(Case, "change", case.pk))

    admin_client.post(
        admin_url(Case, "change", case.pk),
        {"public_summary": "王小明家楼栋电梯已修复", **management_data(change_page)},
    )

    entry = _the_entry(administrator)
    assert entry.target == case.number
    assert entry.detail == "changed: Public summary"


def test_a_duty_shift_saved_with_a_new_member_records_the_shift_and_its_assignment(
    admin_client, administrator, workstation
):
    member = MemberFactory(name="张委员", home_workstation=workstation)

    admin_client.post(
        admin_url(DutyShift, "add"),
        {
            "workstation": workstation.pk,
            "date": "2026-12-01",
            "starts_at": "09:00",
            "ends_at": "12:00",
            "theme": "法律咨询",
            "assignments-TOTAL_FORMS": "1",
            "assignments-INITIAL_FORMS": "0",
            "assignments-MIN_NUM_FORMS": "0",
            "assignments-MAX_NUM_FORMS": "1000",
            "assignments-0-member": member.pk,
            "assignments-0-attendance": "scheduled",
        },
    )

    shift = DutyShift.objects.get()
    entry = _the_entry(administrator)
    assert (entry.target, entry.detail) == (
        f"dutyshift {shift.pk}",
        "added; duty assignment added",
    )
    assert "张委员" not in entry.detail


def test_changing_a_users_password_in_admin_records_the_field_not_the_password(
    admin_client, administrator, staff
):
    before = User.objects.get(pk=staff.pk).password

    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[staff.pk]),
        {"password1": "lantern-river-morning", "password2": "lantern-river-morning"},
    )

    assert response.status_code == 302
    assert User.objects.get(pk=staff.pk).password != before
    entry = _the_entry(administrator)
    assert (entry.target, entry.detail) == (f"user {staff.pk}", "changed: password")


def test_deleting_rows_in_admin_records_each_one(admin_client, administrator):
    days = [
        SpecialDay.objects.create(date=date(2031, 10, d), kind=SpecialDay.Kind.HOLIDAY)
        for d in (1, 2)
    ]

    admin_client.post(
        admin_url(SpecialDay, "changelist"),
        {"action": "delete_selected", "_selected_action": [d.pk for d in days], "post": "yes"},
    )

    assert not SpecialDay.objects.exists()
    assert sorted(_entries()) == sorted(
        (AuditEntry.Action.ADMIN, f"specialday {d.pk}", "deleted") for d in days
    )


def test_an_admin_action_that_changes_a_member_is_audited(admin_client, administrator, member):
    admin_client.post(
        admin_url(Member, "changelist"),
        {"action": "renew_calendar_token", "_selected_action": [member.pk]},
    )

    entry = _the_entry(administrator)
    assert entry.target == f"member {member.pk}"
    assert entry.detail.startswith("changed: ")


def test_an_ordering_edited_on_the_changelist_is_audited(admin_client, administrator):
    sector = SectorFactory(name="民盟")

    admin_client.post(
        admin_url(Sector, "changelist"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": sector.pk,
            "form-0-ordering": "7",
            "_save": "Save",
        },
    )

    sector.refresh_from_db()
    assert sector.ordering == 7
    entry = _the_entry(administrator)
    assert (entry.target, entry.detail) == (f"sector {sector.pk}", "changed: Ordering")


def test_a_change_refused_in_admin_writes_nothing_to_the_audit_log(admin_client, workstation):
    case = open_case(workstation=workstation)
    change_page = admin_client.get(admin_url(Case, "change", case.pk))

    response = admin_client.post(
        admin_url(Case, "change", case.pk),
        # A summary for publication holding a phone number is refused.
        {"public_summary": "请联系13912345678", **management_data(change_page)},
    )

    assert response.status_code == 200
    assert not AuditEntry.objects.exists()
