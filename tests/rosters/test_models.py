"""Database rules of duty rosters: every constraint is enforced by the database itself,
and `full_clean()` explains a bad roster entry in words."""

from datetime import time

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F, ProtectedError

from members.models import Member
from rosters.models import DutyAssignment, DutyShift

from ..database_rules import refused_by_database
from ..factories import DutyShiftFactory
from .conftest import DAY

Attendance = DutyAssignment.Attendance


pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize("ends_at", [time(9), time(8, 30)], ids=["same-time", "before"])
def test_a_shift_that_does_not_end_after_it_starts_is_refused_by_the_database(shift, ends_at):
    refused_by_database(
        "shift_ends_after_start", DutyShift.objects.filter(pk=shift.pk), ends_at=ends_at
    )


@pytest.mark.parametrize("ends_at", [time(9), time(8, 30)], ids=["same-time", "before"])
def test_a_shift_that_does_not_end_after_it_starts_is_explained(workstation, ends_at):
    shift = DutyShift(workstation=workstation, date=DAY, starts_at=time(9), ends_at=ends_at)

    with pytest.raises(ValidationError) as error:
        shift.full_clean()

    assert error.value.message_dict == {"ends_at": ["A shift must end after it starts."]}


def test_a_shift_in_a_taken_slot_is_refused_by_the_database(shift):
    refused_by_database(
        "shift_unique_slot|rosters_dutyshift.workstation_id, rosters_dutyshift.date, rosters_dutyshift.starts_at",
        lambda: DutyShift.objects.create(
            workstation=shift.workstation, date=DAY, starts_at=time(9), ends_at=time(11)
        ),
    )


def test_a_shift_in_a_taken_slot_is_explained(shift):
    twin = DutyShift(workstation=shift.workstation, date=DAY, starts_at=time(9), ends_at=time(11))

    with pytest.raises(ValidationError) as error:
        twin.full_clean()

    assert error.value.message_dict == {
        "__all__": ["Duty shift with this Workstation, Date and Starts at already exists."]
    }


def test_the_same_slot_at_another_workstation_or_time_is_accepted(shift, other_workstation):
    elsewhere = DutyShift(
        workstation=other_workstation, date=DAY, starts_at=time(9), ends_at=time(12)
    )
    later = DutyShift(workstation=shift.workstation, date=DAY, starts_at=time(14), ends_at=time(17))

    for accepted in (elsewhere, later):
        accepted.full_clean()
        accepted.save()

    assert DutyShift.objects.count() == 3


def test_deleting_a_shift_deletes_its_assignments_but_not_the_members(assignment):
    assignment.shift.delete()

    assert not DutyAssignment.objects.exists()
    assert Member.objects.filter(pk=assignment.member_id).exists()


def test_a_member_with_assignments_cannot_be_deleted(assignment):
    with pytest.raises(ProtectedError):
        assignment.member.delete()

    assert DutyAssignment.objects.filter(pk=assignment.pk).exists()


# --- assignments ---------------------------------------------------------------------------


def test_a_member_assigned_twice_to_one_shift_is_refused_by_the_database(assignment):
    refused_by_database(
        "assignment_one_per_member|rosters_dutyassignment.shift_id, rosters_dutyassignment.member_id",
        lambda: DutyAssignment.objects.create(shift=assignment.shift, member=assignment.member),
    )


def test_a_member_assigned_twice_to_one_shift_is_explained(assignment):
    twice = DutyAssignment(shift=assignment.shift, member=assignment.member)

    with pytest.raises(ValidationError) as error:
        twice.full_clean()

    assert error.value.message_dict == {
        "__all__": ["Duty assignment with this Shift and Member already exists."]
    }


def test_a_member_may_hold_shifts_at_several_workstations(assignment, other_workstation):
    elsewhere = DutyShiftFactory(workstation=other_workstation, date=DAY)

    DutyAssignment(shift=elsewhere, member=assignment.member).full_clean()


def test_an_unknown_attendance_is_refused_by_the_database(assignment):
    refused_by_database(
        "assignment_attendance_valid",
        DutyAssignment.objects.filter(pk=assignment.pk),
        attendance="late",
    )


def test_an_unknown_attendance_is_explained(shift, member):
    assignment = DutyAssignment(shift=shift, member=member, attendance="late")

    with pytest.raises(ValidationError) as error:
        assignment.full_clean()

    assert error.value.message_dict == {"attendance": ["Value 'late' is not a valid choice."]}


def test_a_substitution_without_the_substitute_is_refused_by_the_database(assignment):
    refused_by_database(
        "assignment_substitute_iff_substituted",
        DutyAssignment.objects.filter(pk=assignment.pk),
        attendance=Attendance.SUBSTITUTED,
    )


@pytest.mark.parametrize(
    "attendance", [Attendance.SCHEDULED, Attendance.ATTENDED, Attendance.ABSENT]
)
def test_a_substitute_without_a_substitution_is_refused_by_the_database(
    assignment, colleague, attendance
):
    refused_by_database(
        "assignment_substitute_iff_substituted",
        DutyAssignment.objects.filter(pk=assignment.pk),
        attendance=attendance,
        substitute=colleague,
    )


def test_a_member_substituting_for_themselves_is_refused_by_the_database(assignment):
    refused_by_database(
        "assignment_substitute_not_self",
        DutyAssignment.objects.filter(pk=assignment.pk),
        attendance=Attendance.SUBSTITUTED,
        substitute=F("member"),
    )


def test_a_substitution_without_the_substitute_is_explained(shift, member):
    assignment = DutyAssignment(shift=shift, member=member, attendance=Attendance.SUBSTITUTED)

    with pytest.raises(ValidationError) as error:
        assignment.full_clean()

    assert error.value.message_dict == {"substitute": ["Name the member who took the shift."]}


@pytest.mark.parametrize(
    "attendance", [Attendance.SCHEDULED, Attendance.ATTENDED, Attendance.ABSENT]
)
def test_a_substitute_without_a_substitution_is_explained(shift, member, colleague, attendance):
    assignment = DutyAssignment(
        shift=shift, member=member, attendance=attendance, substitute=colleague
    )

    with pytest.raises(ValidationError) as error:
        assignment.full_clean()

    assert error.value.message_dict == {
        "substitute": ["A substitute is only named when the attendance is 'substituted'."]
    }


def test_a_member_substituting_for_themselves_is_explained(shift, member):
    assignment = DutyAssignment(
        shift=shift, member=member, attendance=Attendance.SUBSTITUTED, substitute=member
    )

    with pytest.raises(ValidationError) as error:
        assignment.full_clean()

    assert error.value.message_dict == {
        "substitute": ["A member cannot substitute for themselves."]
    }


def test_a_substitution_by_a_colleague_is_accepted(assignment, colleague):
    assignment.attendance = Attendance.SUBSTITUTED
    assignment.substitute = colleague
    assignment.full_clean()
    assignment.save()

    assert DutyAssignment.objects.get(pk=assignment.pk).substitute == colleague


def test_a_new_assignment_is_scheduled_without_a_substitute(assignment):
    assert (assignment.attendance, assignment.substitute) == (Attendance.SCHEDULED, None)
    assignment.full_clean()


# --- leave ---------------------------------------------------------------------------


def test_a_leave_without_a_substitute_is_refused_by_the_database(assignment):
    refused_by_database(
        "assignment_substitute_iff_substituted",
        DutyAssignment.objects.filter(pk=assignment.pk),
        on_leave=True,
    )


def test_a_member_on_leave_recorded_as_attended_is_refused_by_the_database(assignment, colleague):
    refused_by_database(
        "assignment_on_leave_not_attended",
        DutyAssignment.objects.filter(pk=assignment.pk),
        on_leave=True,
        substitute=colleague,
        attendance=Attendance.ATTENDED,
    )


def test_a_member_on_leave_recorded_as_attended_is_explained(shift, member, colleague):
    assignment = DutyAssignment(
        shift=shift,
        member=member,
        on_leave=True,
        substitute=colleague,
        attendance=Attendance.ATTENDED,
    )

    with pytest.raises(ValidationError) as error:
        assignment.full_clean()

    assert error.value.message_dict == {
        "attendance": [
            "A member on leave did not attend: record whether the substitute came or not."
        ]
    }


@pytest.mark.parametrize(
    "attendance", [Attendance.SCHEDULED, Attendance.SUBSTITUTED, Attendance.ABSENT]
)
def test_a_leave_keeps_its_substitute_whatever_the_attendance(assignment, colleague, attendance):
    DutyAssignment.objects.filter(pk=assignment.pk).update(
        on_leave=True, substitute=colleague, attendance=attendance
    )

    assignment.refresh_from_db()
    assignment.full_clean()
    assert (assignment.on_leave, assignment.substitute) == (True, colleague)
