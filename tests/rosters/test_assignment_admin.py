"""Attendance in admin goes through the duty functions, as on the roster pages: a form
and two actions that call them, their refusals shown as messages; admin's own forms
cannot write attendance, leave or the substitute."""

from datetime import time, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from rosters.duties import assignment_take_leave
from rosters.models import Attendance, DutyAssignment, DutyChange
from workstations import roles

from ..factories import DutyShiftFactory, MemberFactory, UserFactory

CHANGELIST = "admin:rosters_dutyassignment_changelist"


def duty(workstation, days: int, start: time = time(9)) -> DutyAssignment:
    """A duty `days` from today: yesterday's has started, tomorrow's has not."""
    shift = DutyShiftFactory(
        workstation=workstation,
        date=timezone.localdate() + timedelta(days=days),
        starts_at=start,
        ends_at=time(start.hour + 2),
    )
    return DutyAssignment.objects.create(shift=shift, member=MemberFactory(name="张委员"))


def attendance_url(assignment: DutyAssignment) -> str:
    return reverse("admin:rosters_dutyassignment_attendance", args=[assignment.pk])


def state(assignment: DutyAssignment) -> tuple:
    assignment.refresh_from_db()
    return (
        assignment.member_id,
        assignment.attendance,
        assignment.substitute_id,
        assignment.on_leave,
        DutyChange.objects.filter(assignment=assignment).count(),
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_attendance_page_offers_the_roster_pages_form(admin_client, workstation):
    assignment = duty(workstation, -1)

    response = admin_client.get(attendance_url(assignment))

    assert response.status_code == 200
    assert set(response.context["form"].fields) == {"attendance", "substitute"}
    assert "张委员" in response.content.decode()
    assert state(assignment)[1:] == (Attendance.SCHEDULED, None, False, 0)


def test_attendance_recorded_in_admin_goes_through_the_duty_function_with_a_change_row(
    admin_client, administrator, workstation
):
    assignment = duty(workstation, -1)

    response = admin_client.post(attendance_url(assignment), {"attendance": "absent"})

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:rosters_dutyassignment_change", args=[assignment.pk]
    )
    assert state(assignment)[1:] == (Attendance.ABSENT, None, False, 1)
    change = DutyChange.objects.get()
    assert (change.kind, change.by) == (DutyChange.Kind.ATTENDANCE, administrator)


def test_attendance_refused_in_admin_is_shown_as_a_message_and_changes_nothing(
    admin_client, workstation
):
    assignment = duty(workstation, 1)
    before = state(assignment)

    response = admin_client.post(attendance_url(assignment), {"attendance": "attended"})

    assert response.status_code == 200
    refusal = "Attendance can only be recorded once the shift has started."
    assert any(message.endswith(refusal) for message in messages_of(response))
    assert state(assignment) == before


def test_a_member_on_leave_cannot_be_marked_attended_in_admin(admin_client, workstation):
    assignment = duty(workstation, 1)
    assignment_take_leave(
        assignment=assignment, substitute=MemberFactory(name="王委员"), reason="出差", actor=None
    )
    shift = assignment.shift
    shift.date = timezone.localdate() - timedelta(days=1)  # the shift has now taken place
    shift.save()
    before = state(assignment)

    response = admin_client.post(attendance_url(assignment), {"attendance": "attended"})

    assert response.status_code == 200
    assert any("王委员" in message for message in messages_of(response))
    assert state(assignment) == before


def test_the_assignment_form_in_admin_cannot_write_attendance_leave_or_substitute(
    admin_client, workstation
):
    assignment = duty(workstation, -1)
    before = state(assignment)

    response = admin_client.post(
        reverse("admin:rosters_dutyassignment_change", args=[assignment.pk]),
        {
            "shift": assignment.shift_id,
            "member": assignment.member_id,
            "attendance": Attendance.SUBSTITUTED,
            "substitute": MemberFactory().pk,
            "on_leave": "on",
            "note": "改了备注",
        },
    )

    assert response.status_code == 302
    assert state(assignment) == before
    assert DutyAssignment.objects.get(pk=assignment.pk).note == "改了备注"


def test_the_shift_inline_in_admin_cannot_write_attendance(admin_client, workstation):
    assignment = duty(workstation, -1)
    shift = assignment.shift
    before = state(assignment)

    response = admin_client.post(
        reverse("admin:rosters_dutyshift_change", args=[shift.pk]),
        _shift_post(shift, assignment, **{"assignments-0-attendance": Attendance.ABSENT}),
    )

    assert response.status_code == 302
    assert state(assignment) == before


def test_a_duty_with_leave_keeps_its_member_in_admin(admin_client, workstation):
    assignment = duty(workstation, 2)
    assignment_take_leave(
        assignment=assignment, substitute=MemberFactory(), reason="出差", actor=None
    )
    assignment.refresh_from_db()
    before = state(assignment)

    admin_client.post(
        reverse("admin:rosters_dutyassignment_change", args=[assignment.pk]),
        {
            "shift": assignment.shift_id,
            "member": MemberFactory().pk,
            "attendance": assignment.attendance,
            "substitute": assignment.substitute_id,
            "on_leave": "on",
            "note": "",
        },
    )

    assert state(assignment) == before


def test_the_mark_actions_record_each_started_duty_and_report_those_refused(
    admin_client, administrator, workstation
):
    started, coming = duty(workstation, -1), duty(workstation, 3)

    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "mark_attended", "_selected_action": [started.pk, coming.pk]},
    )

    assert response.status_code == 302
    assert state(started)[1:] == (Attendance.ATTENDED, None, False, 1)
    assert state(coming)[1:] == (Attendance.SCHEDULED, None, False, 0)
    assert DutyChange.objects.get().by == administrator
    shown = messages_of(response)
    assert any("1" in message and "recorded" in message for message in shown)
    assert any("Attendance can only be recorded once the shift has started." in m for m in shown)


def test_the_mark_absent_action_records_an_absence(admin_client, workstation):
    started = duty(workstation, -1)

    admin_client.post(
        reverse(CHANGELIST), {"action": "mark_absent", "_selected_action": [started.pk]}
    )

    assert state(started)[1:] == (Attendance.ABSENT, None, False, 1)


def test_the_attendance_page_of_an_unknown_duty_is_404(admin_client, db):
    assert admin_client.get("/admin/rosters/dutyassignment/999999/attendance/").status_code == 404


@pytest.mark.parametrize("persona", [None, "staff", "member_user"])
def test_only_administrators_reach_the_attendance_page(sign_in, request, persona, workstation):
    assignment = duty(workstation, -1)
    user = request.getfixturevalue(persona) if persona else None
    if user is not None:
        user.is_staff = True  # given staff status by mistake: still no admin
        user.save(update_fields=["is_staff"])
    client = sign_in(user)
    before = state(assignment)

    for response in (
        client.get(attendance_url(assignment)),
        client.post(attendance_url(assignment), {"attendance": "absent"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    assert state(assignment) == before


def test_an_administrator_without_the_change_permission_gets_403(sign_in, workstation, db):
    assignment = duty(workstation, -1)
    viewer = UserFactory(username="viewer", is_staff=True, role=roles.ADMINISTRATORS)
    viewer.groups.get().permissions.remove(Permission.objects.get(codename="change_dutyassignment"))
    before = state(assignment)

    response = sign_in(viewer).post(attendance_url(assignment), {"attendance": "absent"})

    assert response.status_code == 403
    assert state(assignment) == before


def _shift_post(shift, assignment, **changes) -> dict:
    """What the shift's admin page posts, with its one assignment inline, and `changes`."""
    data = {
        "workstation": shift.workstation_id,
        "date": f"{shift.date:%Y-%m-%d}",
        "starts_at": f"{shift.starts_at:%H:%M}",
        "ends_at": f"{shift.ends_at:%H:%M}",
        "holding_group": "",
        "theme": "",
        "assignments-TOTAL_FORMS": "1",
        "assignments-INITIAL_FORMS": "1",
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
        "assignments-0-id": assignment.pk,
        "assignments-0-shift": shift.pk,
        "assignments-0-member": assignment.member_id,
        "assignments-0-note": "",
    }
    return data | changes


def test_a_shift_with_attendance_recorded_cannot_be_moved_to_a_time_still_to_come(
    admin_client, workstation
):
    assignment = duty(workstation, -1)
    admin_client.post(attendance_url(assignment), {"attendance": "attended"})
    shift = assignment.shift
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = admin_client.post(
        reverse("admin:rosters_dutyshift_change", args=[shift.pk]),
        _shift_post(shift, assignment, date=f"{tomorrow:%Y-%m-%d}"),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Attendance is recorded on this shift: it cannot move to a time still to come."
    ]
    shift.refresh_from_db()
    assert shift.date == timezone.localdate() - timedelta(days=1)


def test_a_shift_with_attendance_recorded_can_still_move_within_the_past(admin_client, workstation):
    assignment = duty(workstation, -1)
    admin_client.post(attendance_url(assignment), {"attendance": "attended"})
    shift = assignment.shift
    earlier = timezone.localdate() - timedelta(days=2)

    response = admin_client.post(
        reverse("admin:rosters_dutyshift_change", args=[shift.pk]),
        _shift_post(shift, assignment, date=f"{earlier:%Y-%m-%d}"),
    )

    assert response.status_code == 302
    shift.refresh_from_db()
    assert shift.date == earlier
