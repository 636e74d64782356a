"""China's working-day calendar: which days are working days, and deadlines counted in them.

Weekends are days off and weekdays are working days, except for the special days
the administrator keeps (public holidays and make-up working days, 调休). A year
that has not been entered is never guessed: asking about it raises CalendarMissing.
A year entered without its make-up working days confirmed is a gap users are warned of
(`calendar_gaps`), and a due date someone chooses is checked by `check_due_date`.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import CalendarYear, SpecialDay

# A due date chosen by hand lies at most this far ahead.
DUE_DATE_HORIZON = timedelta(days=366)


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


class DueDateError(ValueError):
    """A due date that cannot be accepted; its message is meant for the user."""


def check_due_window(day: date, *, today: date | None = None) -> None:
    """Refuse a due date in the past or more than a year ahead."""
    today = today or timezone.localdate()
    if day < today:
        raise DueDateError(_("The due date cannot be in the past."))
    last = today + DUE_DATE_HORIZON
    if day > last:
        raise DueDateError(
            _("The due date cannot be more than a year ahead (after %(last)s).")
            % {"last": f"{last:%Y-%m-%d}"}
        )


def check_due_date(day: date, *, today: date | None = None) -> None:
    """Refuse a due date someone chose: in the past, more than a year ahead, in a year
    the calendar does not know, or on a day off (naming the next working day)."""
    check_due_window(day, today=today)
    try:
        if is_working_day(day):
            return
    except CalendarMissing as missing:
        raise DueDateError(str(missing)) from missing
    special = SpecialDay.objects.filter(date=day).first()
    reason = (special and special.name) or (_("public holiday") if special else _("weekend"))
    named = {"day": f"{day:%Y-%m-%d}", "reason": reason}
    try:
        named["next"] = f"{add_working_days(day, 1):%Y-%m-%d}"
    except CalendarMissing:
        # The next working day lies in a year not entered yet: suggest none.
        raise DueDateError(
            _("%(day)s is not a working day (%(reason)s). Choose a working day.") % named
        ) from None
    raise DueDateError(
        _("%(day)s is not a working day (%(reason)s). Choose a working day, such as %(next)s.")
        % named
    )


@dataclass(frozen=True)
class CalendarGap:
    """A year the calendar cannot vouch for: not entered at all, or entered without its
    make-up working days confirmed (`CalendarYear.is_complete` not ticked)."""

    year: int
    entered: bool

    def __str__(self) -> str:
        if not self.entered:
            return str(CalendarMissing(self.year))
        return _(
            "The working-day calendar for %(year)s is not complete: its make-up working "
            "days (调休) may be missing, so working days in %(year)s may be counted wrongly. "
            "An administrator enters them and ticks the year complete."
        ) % {"year": self.year}


def calendar_gaps(first: date | None = None, last: date | None = None) -> list[CalendarGap]:
    """The years from `first` (today) to `last` (the end of the next year) whose calendar
    is missing or not complete, in one query: what every page that counts or schedules
    working days warns of."""
    first = first or timezone.localdate()
    last = last or date(first.year + 1, 12, 31)
    complete = dict(
        CalendarYear.objects.filter(year__range=(first.year, last.year)).values_list(
            "year", "is_complete"
        )
    )
    return [
        CalendarGap(year, entered=year in complete)
        for year in range(first.year, last.year + 1)
        if not complete.get(year)
    ]


# The names chinese-calendar gives the statutory holidays (workdays.loading stores them),
# in the reader's language.
HOLIDAY_NAMES = {
    "New Year's Day": gettext_lazy("New Year's Day"),
    "Spring Festival": gettext_lazy("Spring Festival"),
    "Tomb-sweeping Day": gettext_lazy("Tomb-sweeping Day"),
    "Labour Day": gettext_lazy("Labour Day"),
    "Dragon Boat Festival": gettext_lazy("Dragon Boat Festival"),
    "National Day": gettext_lazy("National Day"),
    "Mid-autumn Festival": gettext_lazy("Mid-autumn Festival"),
}


@dataclass(frozen=True)
class DayMark:
    """How the calendar marks a day that breaks the Monday-to-Friday rule: a public
    holiday (a day off) or a make-up working day (调休), with the holiday's name."""

    is_working_day: bool
    name: str


def day_marks(first: date, last: date) -> dict[date, DayMark]:
    """The public holidays and make-up working days from first to last, in one query. A
    year the calendar does not know has none: `calendar_gaps` tells which."""
    return {
        day: DayMark(kind == SpecialDay.Kind.MAKEUP_WORKDAY, str(HOLIDAY_NAMES.get(name, name)))
        for day, kind, name in SpecialDay.objects.filter(date__range=(first, last)).values_list(
            "date", "kind", "name"
        )
    }
