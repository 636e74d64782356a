"""Attendance, leave and swaps: each recorded with who made it; refusals change nothing."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone
from django.utils.translation import gettext

from rosters.duties import (
    DutyError,
    assignment_mark_attendance,
    assignment_take_leave,
    assignments_record_past_attendance,
    assignments_swap,
)
from rosters.models import Attendance, DutyAssignment, DutyChange

from ..factories import DutyShiftFactory, MemberFactory, UserFactory, WorkstationFactory

TODAY = date(2026, 11, 26)
# Mid-morning: today's 09:00 shift has started.
NOW = timezone.make_aware(datetime(2026, 11, 26, 10))


@pytest.fixture
def actor(db):
    return UserFactory(username="office")


@pytest.fixture
def desk(db):
    return WorkstationFactory()


def duty(desk, day=TODAY, start=time(9), end=time(11, 30), member=None):
    shift = DutyShiftFactory(workstation=desk, date=day, starts_at=start, ends_at=end)
    return DutyAssignment.objects.create(shift=shift, member=member or MemberFactory())


def snapshot():
    return (
        sorted(DutyAssignment.objects.values_list("pk", "member", "attendance", "substitute")),
        DutyChange.objects.count(),
    )


def test_attendance_is_recorded_for_today_with_who_recorded_it(desk, actor):
    assignment = duty(desk)

    assignment_mark_attendance(
        assignment=assignment, attendance=Attendance.ATTENDED, actor=actor, now=NOW
    )

    assignment.refresh_from_db()
    assert assignment.attendance == Attendance.ATTENDED
    change = DutyChange.objects.get()
    assert (change.kind, change.by, change.assignment) == ("attendance", actor, assignment)


def test_attendance_for_a_future_shift_is_refused_and_changes_nothing(desk, actor):
    assignment = duty(desk, day=TODAY + timedelta(days=1))
    before = snapshot()

    with pytest.raises(DutyError) as refusal:
        assignment_mark_attendance(
            assignment=assignment, attendance=Attendance.ABSENT, actor=actor, now=NOW
        )

    assert str(refusal.value) == gettext(
        "Attendance can only be recorded once the shift has started."
    )
    assert snapshot() == before


def test_a_substituted_past_duty_names_the_substitute(desk, actor):
    assignment = duty(desk, day=TODAY - timedelta(days=7))
    stand_in = MemberFactory(name="代班委员")

    assignment_mark_attendance(
        assignment=assignment,
        attendance=Attendance.SUBSTITUTED,
        substitute=stand_in,
        actor=actor,
        now=NOW,
    )

    assignment.refresh_from_db()
    assert (assignment.attendance, assignment.substitute) == (Attendance.SUBSTITUTED, stand_in)
    assert "代班委员" in DutyChange.objects.get().detail


@pytest.mark.parametrize(
    ("attendance", "with_substitute"),
    [(Attendance.SUBSTITUTED, False), (Attendance.SCHEDULED, False), ("lost", False)],
)
def test_attendance_without_a_substitute_or_with_no_outcome_is_refused(
    desk, actor, attendance, with_substitute
):
    assignment = duty(desk)
    before = snapshot()

    with pytest.raises(DutyError):
        assignment_mark_attendance(
            assignment=assignment, attendance=attendance, actor=actor, now=NOW
        )

    assert snapshot() == before


def test_leave_from_a_coming_shift_hands_it_to_the_substitute(desk, actor):
    assignment = duty(desk, day=TODAY + timedelta(days=3))
    stand_in = MemberFactory()

    assignment_take_leave(
        assignment=assignment, substitute=stand_in, reason="出差", actor=actor, now=NOW
    )

    assignment.refresh_from_db()
    assert (assignment.on_leave, assignment.substitute) == (True, stand_in)
    change = DutyChange.objects.get()
    assert change.kind == "leave" and "出差" in change.detail and change.by == actor


@pytest.mark.parametrize(
    "problem",
    ["no reason", "past shift", "substitute is the member", "substitute busy", "inactive"],
)
def test_leave_that_cannot_be_covered_is_refused_and_changes_nothing(desk, actor, problem):
    day = TODAY - timedelta(days=1) if problem == "past shift" else TODAY + timedelta(days=2)
    assignment = duty(desk, day=day)
    stand_in = MemberFactory(is_active=problem != "inactive")
    if problem == "substitute is the member":
        stand_in = assignment.member
    if problem == "substitute busy":
        # On duty elsewhere at an overlapping time.
        duty(WorkstationFactory(), day=day, start=time(10), end=time(12), member=stand_in)
    before = snapshot()

    with pytest.raises(DutyError):
        assignment_take_leave(
            assignment=assignment,
            substitute=stand_in,
            reason="" if problem == "no reason" else "身体不适",
            actor=actor,
            now=NOW,
        )

    assert snapshot() == before


def test_two_members_swap_their_coming_shifts_and_both_changes_are_recorded(desk, actor):
    tuesday = duty(desk, day=TODAY + timedelta(days=5))
    thursday = duty(desk, day=TODAY + timedelta(days=7))
    a, b = tuesday.member, thursday.member

    assignments_swap(first=tuesday, second=thursday, actor=actor, reason="互换", now=NOW)

    tuesday.refresh_from_db()
    thursday.refresh_from_db()
    assert (tuesday.member, thursday.member) == (b, a)
    assert DutyChange.objects.filter(kind="swap", by=actor).count() == 2


@pytest.mark.parametrize("problem", ["same shift", "past", "already substituted", "clash"])
def test_a_swap_that_cannot_happen_is_refused_and_changes_nothing(desk, actor, problem):
    first = duty(desk, day=TODAY + timedelta(days=5))
    if problem == "same shift":
        second = DutyAssignment.objects.create(shift=first.shift, member=MemberFactory())
    else:
        day = TODAY - timedelta(days=2) if problem == "past" else TODAY + timedelta(days=7)
        second = duty(desk, day=day)
    if problem == "already substituted":
        assignment_take_leave(
            assignment=second, substitute=MemberFactory(), reason="请假", actor=actor, now=NOW
        )
        second.refresh_from_db()
    if problem == "clash":
        # The first member already has another duty at the second shift's time.
        duty(WorkstationFactory(), day=second.shift.date, member=first.member)
    before = snapshot()

    with pytest.raises(DutyError):
        assignments_swap(first=first, second=second, actor=actor, now=NOW)

    assert snapshot() == before


# --- one assignment's leave, swap and attendance never contradict each other -------------


def on_leave(desk, actor, day=TODAY, stand_in=None):
    """A duty at 09:00 on `day` whose member took leave the evening before."""
    assignment = duty(desk, day=day)
    assignment_take_leave(
        assignment=assignment,
        substitute=stand_in or MemberFactory(name="代班委员"),
        reason="出差",
        actor=actor,
        now=timezone.make_aware(datetime.combine(day - timedelta(days=1), time(18))),
    )
    assignment.refresh_from_db()
    return assignment


def test_leave_keeps_the_duty_unrecorded_until_its_attendance_is_taken(desk, actor):
    assignment = on_leave(desk, actor, day=TODAY + timedelta(days=3))

    assert (assignment.on_leave, assignment.attendance) == (True, Attendance.SCHEDULED)
    assert assignment.substitute.name == "代班委员"


def test_an_absence_on_a_duty_with_leave_is_the_substitutes_and_keeps_the_leave(desk, actor):
    assignment = on_leave(desk, actor)

    assignment_mark_attendance(
        assignment=assignment, attendance=Attendance.ABSENT, actor=actor, now=NOW
    )

    assignment.refresh_from_db()
    assert (assignment.on_leave, assignment.attendance) == (True, Attendance.ABSENT)
    assert assignment.substitute.name == "代班委员"
    assert "代班委员" in DutyChange.objects.filter(kind="attendance").get().detail


def test_the_substitute_who_came_is_recorded_on_a_duty_with_leave(desk, actor):
    assignment = on_leave(desk, actor)

    assignment_mark_attendance(
        assignment=assignment, attendance=Attendance.SUBSTITUTED, actor=actor, now=NOW
    )

    assignment.refresh_from_db()
    assert (assignment.on_leave, assignment.attendance) == (True, Attendance.SUBSTITUTED)
    assert assignment.substitute.name == "代班委员"


def test_another_member_who_came_instead_of_the_substitute_is_recorded(desk, actor):
    assignment = on_leave(desk, actor)
    other = MemberFactory(name="临时顶班委员")

    assignment_mark_attendance(
        assignment=assignment,
        attendance=Attendance.SUBSTITUTED,
        substitute=other,
        actor=actor,
        now=NOW,
    )

    assignment.refresh_from_db()
    assert (assignment.on_leave, assignment.substitute) == (True, other)


def test_a_member_on_approved_leave_cannot_be_recorded_as_attended(desk, actor):
    assignment = on_leave(desk, actor)
    before = snapshot()

    with pytest.raises(DutyError):
        assignment_mark_attendance(
            assignment=assignment, attendance=Attendance.ATTENDED, actor=actor, now=NOW
        )

    assert snapshot() == before


def test_attendance_before_the_shift_has_started_is_refused_and_changes_nothing(desk, actor):
    assignment = duty(desk, start=time(14), end=time(17))
    before = snapshot()

    with pytest.raises(DutyError):
        assignment_mark_attendance(
            assignment=assignment, attendance=Attendance.ATTENDED, actor=actor, now=NOW
        )

    assert snapshot() == before


def test_leave_once_the_shift_has_started_is_refused_and_changes_nothing(desk, actor):
    assignment = duty(desk)  # today at 09:00; it is 10:00
    before = snapshot()

    with pytest.raises(DutyError) as refusal:
        assignment_take_leave(
            assignment=assignment,
            substitute=MemberFactory(),
            reason="临时有事",
            actor=actor,
            now=NOW,
        )

    assert str(refusal.value) == gettext("Leave is asked for before a shift, not after it.")
    assert snapshot() == before


def test_a_second_leave_on_a_duty_already_on_leave_is_refused_and_changes_nothing(desk, actor):
    assignment = on_leave(desk, actor, day=TODAY + timedelta(days=3))
    before = snapshot()

    with pytest.raises(DutyError):
        assignment_take_leave(
            assignment=assignment,
            substitute=MemberFactory(),
            reason="又请假",
            actor=actor,
            now=NOW,
        )

    assert snapshot() == before


def test_a_swap_once_one_of_the_shifts_has_started_is_refused_and_changes_nothing(desk, actor):
    started = duty(desk)  # today at 09:00; it is 10:00
    coming = duty(desk, day=TODAY + timedelta(days=2))
    before = snapshot()

    with pytest.raises(DutyError):
        assignments_swap(first=started, second=coming, actor=actor, now=NOW)

    assert snapshot() == before


def test_a_duty_with_leave_cannot_be_swapped(desk, actor):
    leave = on_leave(desk, actor, day=TODAY + timedelta(days=3))
    other = duty(desk, day=TODAY + timedelta(days=4))
    before = snapshot()

    with pytest.raises(DutyError):
        assignments_swap(first=other, second=leave, actor=actor, now=NOW)

    assert snapshot() == before


def test_past_duties_are_loaded_with_their_attendance_in_one_write(desk, django_assert_num_queries):
    shift = DutyShiftFactory(workstation=desk, date=TODAY - timedelta(days=1))
    came, missed = MemberFactory(), MemberFactory()

    with django_assert_num_queries(1):
        assignments_record_past_attendance(
            [
                (DutyAssignment(shift=shift, member=came), Attendance.ATTENDED),
                (DutyAssignment(shift=shift, member=missed), Attendance.ABSENT),
            ],
            now=NOW,
        )

    assert dict(DutyAssignment.objects.values_list("member", "attendance")) == {
        came.pk: Attendance.ATTENDED,
        missed.pk: Attendance.ABSENT,
    }


@pytest.mark.parametrize(
    ("day", "attendance"),
    [(TODAY + timedelta(days=1), Attendance.ATTENDED), (TODAY, Attendance.SUBSTITUTED)],
)
def test_a_shift_still_to_come_or_another_record_is_refused_and_nothing_is_loaded(
    desk, day, attendance
):
    held = DutyShiftFactory(workstation=desk, date=TODAY - timedelta(days=1))
    shift = DutyShiftFactory(workstation=desk, date=day)

    with pytest.raises(DutyError):
        assignments_record_past_attendance(
            [
                (DutyAssignment(shift=held, member=MemberFactory()), Attendance.ATTENDED),
                (DutyAssignment(shift=shift, member=MemberFactory()), attendance),
            ],
            now=NOW,
        )

    assert not DutyAssignment.objects.exists()
