"""Fill the working-day calendar from maintained packages.

chinese-calendar knows the State Council's full schedule, make-up working days
included, for the years it has been released for; for a later year the holidays
package knows the statutory holidays only. Such a year is stored as incomplete,
so administrators see that its make-up working days still have to be entered.
"""

from datetime import date

import chinese_calendar
import holidays
from django.db import transaction

from .models import CalendarYear, SpecialDay


def _from_chinese_calendar(year: int) -> dict[date, tuple[str, str]]:
    first, last = date(year, 1, 1), date(year, 12, 31)
    days: dict[date, tuple[str, str]] = {}
    for day in chinese_calendar.get_holidays(first, last, include_weekends=False):
        days[day] = (SpecialDay.Kind.HOLIDAY, chinese_calendar.get_holiday_detail(day)[1] or "")
    for day in chinese_calendar.get_workdays(first, last, include_weekends=True):
        if day.weekday() >= 5:
            days[day] = (
                SpecialDay.Kind.MAKEUP_WORKDAY,
                chinese_calendar.get_holiday_detail(day)[1] or "",
            )
    return days


def _from_holidays(year: int) -> dict[date, tuple[str, str]]:
    china = holidays.country_holidays("CN", years=year, language="zh_CN")
    return {
        day: (SpecialDay.Kind.HOLIDAY, name[:50])
        for day, name in china.items()
        if day.weekday() < 5
    }


@transaction.atomic
def load_year(year: int, *, replace: bool = False) -> CalendarYear:
    """Enter a year's special days unless an administrator has already entered it."""
    existing = CalendarYear.objects.filter(year=year).first()
    if existing and not replace:
        return existing
    try:
        days, complete, source = _from_chinese_calendar(year), True, "chinese-calendar"
    except NotImplementedError:
        days, complete, source = _from_holidays(year), False, "holidays (statutory holidays only)"
    SpecialDay.objects.filter(date__year=year).delete()
    SpecialDay.objects.bulk_create(
        SpecialDay(date=day, kind=kind, name=name) for day, (kind, name) in sorted(days.items())
    )
    calendar_year, _created = CalendarYear.objects.update_or_create(
        year=year, defaults={"is_complete": complete, "source": source}
    )
    return calendar_year
