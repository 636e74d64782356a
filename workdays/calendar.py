"""China's working-day calendar: which days are working days, and deadlines counted in them.

Weekends are days off and weekdays are working days, except for the special days
the administrator keeps (public holidays and make-up working days, 调休). A year
that has not been entered is never guessed: asking about it raises CalendarMissing.
"""

from datetime import date, timedelta

from django.utils.translation import gettext as _

from .models import CalendarYear, SpecialDay


class CalendarMissing(Exception):
    def __init__(self, year: int):
        self.year = year
        super().__init__(
            _(
                "The working-day calendar for %(year)s has not been entered yet. "
                "An administrator must add it before deadlines in that year can be counted."
            )
            % {"year": year}
        )


class _Window:
    """The special days and known years between two dates, read in two queries."""

    def __init__(self, first: date, last: date):
        self.first, self.last = first, last
        self.years = set(
            CalendarYear.objects.filter(year__range=(first.year, last.year)).values_list(
                "year", flat=True
            )
        )
        self.special = dict(
            SpecialDay.objects.filter(date__range=(first, last)).values_list("date", "kind")
        )

    def is_working_day(self, day: date) -> bool:
        if day.year not in self.years:
            raise CalendarMissing(day.year)
        kind = self.special.get(day)
        if kind is not None:
            return kind == SpecialDay.Kind.MAKEUP_WORKDAY
        return day.weekday() < 5


def is_working_day(day: date) -> bool:
    return _Window(day, day).is_working_day(day)


def add_working_days(start: date, count: int) -> date:
    """The date `count` working days after `start` (start itself is not counted)."""
    if count < 0:
        raise ValueError("count must not be negative")
    # Golden Week plus weekends never stretch a run of days off past this margin.
    span = count * 2 + 21
    window = _Window(start, start + timedelta(days=span))
    day, remaining = start, count
    while remaining:
        day += timedelta(days=1)
        if day > window.last:
            window = _Window(day, day + timedelta(days=span))
        if window.is_working_day(day):
            remaining -= 1
    return day


def working_days_between(first: date, last: date) -> list[date]:
    """The working days from first to last, both included."""
    window = _Window(first, last)
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [day for day in days if window.is_working_day(day)]
