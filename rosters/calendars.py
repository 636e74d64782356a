"""Week and month grids of duty shifts, for the printable roster pages; a day may carry
the working-day calendar's mark (a public holiday, a make-up working day)."""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Prefetch, QuerySet

from workdays.calendar import DayMark

from .models import DutyAssignment, DutyShift

# The days a roster page shows: its week or month and their neighbours then stay far from
# the ends of what a date can hold (years 1 and 9999).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


@dataclass
class Day:
    date: date
    in_range: bool
    shifts: list = field(default_factory=list)
    mark: DayMark | None = None


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def with_people(shifts: QuerySet[DutyShift]) -> QuerySet[DutyShift]:
    """Everything a roster cell shows, in three queries whatever the number of shifts."""
    return (
        shifts.select_related("workstation", "holding_group")
        .prefetch_related(
            Prefetch(
                "assignments",
                DutyAssignment.objects.select_related("member", "substitute").order_by(
                    "member__name"
                ),
            )
        )
        .order_by("date", "starts_at", "workstation__ordering")
    )


def grid(
    shifts: QuerySet[DutyShift], first: date, last: date, marks: dict[date, DayMark] | None = None
) -> list[list[Day]]:
    """Weeks (Monday first) covering first..last, each day with its shifts and its mark
    from `marks` (the calendar's, workdays.calendar.day_marks)."""
    marks = marks or {}
    by_day: dict[date, list] = {}
    for shift in with_people(shifts.filter(date__range=(first, last))):
        by_day.setdefault(shift.date, []).append(shift)
    start, end = week_start(first), week_start(last) + timedelta(days=6)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    cells = [Day(d, first <= d <= last, by_day.get(d, []), marks.get(d)) for d in days]
    return [cells[i : i + 7] for i in range(0, len(cells), 7)]
