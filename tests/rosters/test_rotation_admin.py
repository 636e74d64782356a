"""The rotation generator in admin: preview, save, an idempotent rerun, refusals, 403."""

from datetime import date, time

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from rosters.models import DutyAssignment, DutyShift
from tests.signing import force_login

from ..admin_pages import administrator_without
from ..factories import (
    DutyAssignmentFactory,
    DutyShiftFactory,
    MemberFactory,
)

GENERATE_URL = "admin:rosters_dutyshift_generate"
CHANGELIST_URL = "admin:rosters_dutyshift_changelist"
WED = 2


pytestmark = pytest.mark.usefixtures("english", "calendar_2026")


def _data(workstation, group=None, **fields) -> dict:
    """Every Wednesday of March 2026 (4, 11, 18, 25), one morning slot, two members."""
    data = {
        "workstations": [workstation.pk],
        "first": "2026-03-01",
        "last": "2026-03-31",
        "recurrence": "weekdays",
        "weekdays": [WED],
        "month_days": "",
        "nth": "1",
        "slots": "09:00-11:30",
        "members_per_shift": "2",
        "groups": [group.pk] if group else [],
        "members": [],
        "holidays": "skip",
        "theme": "普法宣传",
    }
    data.update(fields)
    return data


def _preview(client, data):
    response = client.post(reverse(GENERATE_URL), {**data, "preview": "1"})
    assert response.status_code == 200
    return response


def _save(client, data, digest):
    return client.post(reverse(GENERATE_URL), {**data, "save": "1", "digest": digest})


def test_the_changelist_links_to_the_generator(admin_client):
    html = admin_client.get(reverse(CHANGELIST_URL)).content.decode()
    assert reverse(GENERATE_URL) in html and "Generate rotation" in html


def test_get_shows_the_form(admin_client):
    response = admin_client.get(reverse(GENERATE_URL))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="rotation-form"' in html and 'name="preview"' in html
    assert 'name="save"' not in html


def test_preview_shows_the_plan_and_writes_nothing(admin_client, workstation, legal):
    response = _preview(admin_client, _data(workstation, legal))
    preview = response.context["preview"]
    assert [shift.date for shift in preview.new_shifts] == [
        date(2026, 3, 4),
        date(2026, 3, 11),
        date(2026, 3, 18),
        date(2026, 3, 25),
    ]
    assert all(len(shift.members) == 2 for shift in preview.new_shifts)
    html = response.content.decode()
    assert 'id="rotation-new-shifts"' in html and "2026-03-04" in html and "09:00–11:30" in html
    assert 'name="save"' in html and response.context["digest"] in html
    assert not DutyShift.objects.exists() and not DutyAssignment.objects.exists()


def test_save_creates_shifts_and_assignments_and_a_rerun_adds_nothing(
    admin_client, workstation, legal
):
    data = _data(workstation, legal)
    digest = _preview(admin_client, data).context["digest"]
    response = _save(admin_client, data, digest)
    assert response.status_code == 302 and response.url == reverse(CHANGELIST_URL)
    assert DutyShift.objects.count() == 4 and DutyAssignment.objects.count() == 8
    shift = DutyShift.objects.first()
    assert (shift.starts_at, shift.ends_at) == (time(9), time(11, 30))
    assert shift.holding_group == legal and shift.theme == "普法宣传"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["4 shifts and 8 duties created."]

    rerun = _preview(admin_client, data)
    assert rerun.context["preview"].new_shifts == []
    assert len(rerun.context["preview"].existing_shifts) == 4
    assert 'id="rotation-existing-shifts"' in rerun.content.decode()
    response = _save(admin_client, data, rerun.context["digest"])
    assert response.status_code == 302
    assert DutyShift.objects.count() == 4 and DutyAssignment.objects.count() == 8
    followed = admin_client.get(response.url)
    assert "0 shifts and 0 duties created." in followed.content.decode()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        (
            {"first": "2026-03-31", "last": "2026-03-01"},
            "The range is empty: the last date is before the first.",
        ),
        ({"weekdays": []}, "Choose at least one weekday."),
        ({"groups": []}, "Choose the activity groups or the members to rotate through."),
    ],
)
def test_a_refused_rotation_shows_the_error_and_writes_nothing(
    admin_client, workstation, legal, fields, error
):
    data = _data(workstation, legal, **fields)
    for action in ({"preview": "1"}, {"save": "1", "digest": "x"}):
        response = admin_client.post(reverse(GENERATE_URL), {**data, **action})
        assert response.status_code == 200
        assert response.context["form"].non_field_errors() == [error]
        assert response.context["preview"] is None
        html = response.content.decode()
        assert 'class="errorlist nonfield"' in html and error in html
    assert not DutyShift.objects.exists()


def test_a_bad_time_slot_is_a_field_error(admin_client, workstation, legal):
    response = _preview(admin_client, _data(workstation, legal, slots="9 to 11"))
    assert "slots" in response.context["form"].errors
    assert not DutyShift.objects.exists()


def test_conflicts_are_shown_and_the_save_is_refused(admin_client, workstation, other_workstation):
    busy = MemberFactory(name="张委员")
    elsewhere = DutyShiftFactory(
        workstation=other_workstation, date=date(2026, 3, 4), starts_at=time(9), ends_at=time(12)
    )
    DutyAssignmentFactory(shift=elsewhere, member=busy)
    data = _data(workstation, members=[busy.pk], members_per_shift="1")
    response = _preview(admin_client, data)
    conflicts = response.context["preview"].conflicts
    assert len(conflicts) == 1 and conflicts[0].member == busy
    html = response.content.decode()
    assert 'id="rotation-conflicts"' in html and "张委员 is already on duty" in html
    assert 'name="save"' not in html

    response = _save(admin_client, data, response.context["digest"])
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The rotation has 1 conflicts; resolve them before saving."
    ]
    assert DutyShift.objects.count() == 1 and DutyAssignment.objects.count() == 1


def test_a_stale_preview_is_refused(admin_client, workstation, legal):
    data = _data(workstation, legal)
    digest = _preview(admin_client, data).context["digest"]
    DutyShiftFactory(workstation=workstation, date=date(2026, 3, 11), starts_at=time(9))
    response = _save(admin_client, data, digest)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The roster has changed since the preview; preview it again."
    ]
    assert DutyShift.objects.count() == 1


def test_an_administrator_without_add_permission_on_shifts_gets_403(client, workstation, legal):
    force_login(client, administrator_without("add_dutyshift"))
    assert client.get(reverse(GENERATE_URL)).status_code == 403
    data = _data(workstation, legal)
    assert client.post(reverse(GENERATE_URL), {**data, "preview": "1"}).status_code == 403
    assert client.post(reverse(GENERATE_URL), {**data, "save": "1"}).status_code == 403
    assert not DutyShift.objects.exists()
    assert reverse(GENERATE_URL) not in client.get(reverse(CHANGELIST_URL)).content.decode()


def test_a_short_staffed_preview_warns_and_still_offers_the_save(admin_client, workstation, legal):
    response = _preview(admin_client, _data(workstation, legal, members_per_shift="5"))

    html = response.content.decode()
    assert 'id="rotation-warnings"' in html and "3 of the 5 members" in html
    assert 'name="save"' in html


def test_a_saved_rotation_is_written_to_the_audit_log(
    admin_client, administrator, workstation, legal
):
    data = _data(workstation, legal)
    _save(admin_client, data, _preview(admin_client, data).context["digest"])

    entry = AuditEntry.objects.get()
    assert (entry.user, entry.action, entry.target, entry.detail) == (
        administrator,
        AuditEntry.Action.ADMIN,
        "rotation",
        "4 shifts, 8 duties created",
    )


def test_a_previewed_rotation_writes_nothing_to_the_audit_log(admin_client, workstation, legal):
    _preview(admin_client, _data(workstation, legal))

    assert not AuditEntry.objects.exists()
