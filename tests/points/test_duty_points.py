"""Which duties score: only once the shift has started and its attendance is recorded,
and never an absence for the member on approved leave."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from points.facts import facts
from points.models import Category, PointEntry, PointRule, ScoringYear
from rosters.duties import assignment_mark_attendance, assignment_take_leave
from rosters.models import Attendance, DutyAssignment

from ..factories import DutyShiftFactory, MemberFactory, UserFactory

SHIFT_DAY = date(2026, 3, 4)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def score_duties(year: int) -> None:
    scoring_year = ScoringYear.objects.create(year=year)
    PointRule.objects.create(scoring_year=scoring_year, category=Category.DUTY_ATTENDED, points=2)
    PointRule.objects.create(scoring_year=scoring_year, category=Category.DUTY_ABSENT, points=-3)


def active(member) -> list[tuple[str, Decimal]]:
    entries = PointEntry.objects.filter(member=member, reversed_at__isnull=True)
    return sorted((e.category, e.points) for e in entries)


@pytest.fixture
def office(db):
    return UserFactory(username="office")


@pytest.fixture
def on_leave(db, office, committed):
    """A duty on SHIFT_DAY at 09:00 whose member took leave the day before."""
    score_duties(SHIFT_DAY.year)
    member, substitute = MemberFactory(name="请假委员"), MemberFactory(name="代班委员")
    with committed():
        assignment = DutyAssignment.objects.create(
            shift=DutyShiftFactory(date=SHIFT_DAY, starts_at=time(9), ends_at=time(11)),
            member=member,
        )
        assignment_take_leave(
            assignment=assignment,
            substitute=substitute,
            reason="出差",
            actor=office,
            now=at(SHIFT_DAY - timedelta(days=1), 17),
        )
    assignment.refresh_from_db()
    return assignment


def test_an_absence_on_a_duty_with_approved_leave_never_scores_the_member_on_leave(
    on_leave, office, committed
):
    with committed():
        assignment_mark_attendance(
            assignment=on_leave,
            attendance=Attendance.ABSENT,
            actor=office,
            now=at(SHIFT_DAY, 11, 30),
        )

    on_leave.refresh_from_db()
    assert active(on_leave.member) == []
    # The leave is kept: the absence is the substitute's, who promised to come.
    assert (on_leave.on_leave, on_leave.substitute.name) == (True, "代班委员")
    assert active(on_leave.substitute) == [(Category.DUTY_ABSENT, Decimal("-3"))]


def test_leave_for_a_coming_shift_scores_nobody_before_the_shift(office, committed, db):
    tomorrow = timezone.localdate() + timedelta(days=1)
    score_duties(tomorrow.year)
    assignment = DutyAssignment.objects.create(
        shift=DutyShiftFactory(date=tomorrow, starts_at=time(9), ends_at=time(11)),
        member=MemberFactory(),
    )
    substitute = MemberFactory()

    with committed():
        assignment_take_leave(
            assignment=assignment, substitute=substitute, reason="出差", actor=office
        )

    assert active(substitute) == [] and active(assignment.member) == []
    assert not PointEntry.objects.exists()


def test_the_substitute_scores_the_duty_once_the_shift_started_and_attendance_is_recorded(
    on_leave, office, committed
):
    assert not PointEntry.objects.exists()

    with committed():
        assignment_mark_attendance(
            assignment=on_leave,
            attendance=Attendance.SUBSTITUTED,
            actor=office,
            now=at(SHIFT_DAY, 9, 5),
        )

    assert active(on_leave.substitute) == [(Category.DUTY_ATTENDED, Decimal("2"))]
    assert active(on_leave.member) == []


def test_a_duty_whose_shift_has_not_started_is_no_fact_whatever_its_attendance_says(db):
    # As an import or a direct write could leave it: attended, on a shift still to come.
    assignment = DutyAssignment.objects.create(
        shift=DutyShiftFactory(date=SHIFT_DAY, starts_at=time(9), ends_at=time(11)),
        member=MemberFactory(),
        attendance=Attendance.ATTENDED,
    )
    sources = {DutyAssignment: [assignment.pk]}

    assert facts(sources, now=at(SHIFT_DAY, 8, 59)) == set()
    [fact] = facts(sources, now=at(SHIFT_DAY, 9))
    assert (fact.member_id, fact.category) == (assignment.member_id, Category.DUTY_ATTENDED)
