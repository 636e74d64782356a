"""Attendance, leave and swaps: each recorded with who made it; refusals change nothing."""

from datetime import date, time, timedelta

import pytest
from django.utils.translation import gettext

from members.duties import (
    DutyError,
    assignment_mark_attendance,
    assignment_take_leave,
    assignments_swap,
)
from members.models import Attendance, DutyAssignment, DutyChange

from ..factories import DutyShiftFactory, MemberFactory, UserFactory, WorkstationFactory

TODAY = date(2026, 11, 26)


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
        assignment=assignment, attendance=Attendance.ATTENDED, actor=actor, today=TODAY
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
            assignment=assignment, attendance=Attendance.ABSENT, actor=actor, today=TODAY
        )

    assert str(refusal.value) == gettext(
        "Attendance can only be recorded for today's and past shifts."
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
        today=TODAY,
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
            assignment=assignment, attendance=attendance, actor=actor, today=TODAY
        )

    assert snapshot() == before


def test_leave_from_a_coming_shift_hands_it_to_the_substitute(desk, actor):
    assignment = duty(desk, day=TODAY + timedelta(days=3))
    stand_in = MemberFactory()

    assignment_take_leave(
        assignment=assignment, substitute=stand_in, reason="出差", actor=actor, today=TODAY
    )

    assignment.refresh_from_db()
    assert (assignment.attendance, assignment.substitute) == (Attendance.SUBSTITUTED, stand_in)
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
            today=TODAY,
        )

    assert snapshot() == before


def test_two_members_swap_their_coming_shifts_and_both_changes_are_recorded(desk, actor):
    tuesday = duty(desk, day=TODAY + timedelta(days=5))
    thursday = duty(desk, day=TODAY + timedelta(days=7))
    a, b = tuesday.member, thursday.member

    assignments_swap(first=tuesday, second=thursday, actor=actor, reason="互换", today=TODAY)

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
            assignment=second, substitute=MemberFactory(), reason="请假", actor=actor, today=TODAY
        )
        second.refresh_from_db()
    if problem == "clash":
        # The first member already has another duty at the second shift's time.
        duty(WorkstationFactory(), day=second.shift.date, member=first.member)
    before = snapshot()

    with pytest.raises(DutyError):
        assignments_swap(first=first, second=second, actor=actor, today=TODAY)

    assert snapshot() == before
