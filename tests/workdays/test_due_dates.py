"""A due date a person chooses: a working day on the calendar, not past, at most a year
ahead; each refusal says why (and, for a day off, which working day follows)."""

from datetime import date, timedelta

import pytest

from workdays.calendar import DueDateError, check_due_date
from workdays.loading import load_year
from workdays.models import CalendarYear, SpecialDay

TODAY = date(2026, 9, 15)


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def calendar_2026(db):
    load_year(2026)
    CalendarYear.objects.create(year=2027, is_complete=False)


def refusal(day: date, today: date = TODAY) -> str:
    with pytest.raises(DueDateError) as error:
        check_due_date(day, today=today)
    return str(error.value)


@pytest.mark.parametrize("day", [date(2026, 9, 16), date(2026, 9, 20), date(2026, 10, 10)], ids=str)
def test_a_working_day_make_up_days_included_is_accepted(calendar_2026, day):
    check_due_date(day, today=TODAY)


def test_today_is_accepted(calendar_2026):
    check_due_date(TODAY, today=TODAY)


def test_a_due_date_on_a_public_holiday_is_refused_naming_the_holiday_and_the_next_working_day(
    calendar_2026,
):
    message = refusal(date(2026, 10, 1))

    assert "2026-10-01 is not a working day" in message
    assert "(National Day)" in message and "2026-10-08" in message


def test_a_due_date_on_an_ordinary_weekend_is_refused(calendar_2026):
    message = refusal(date(2026, 10, 17))

    assert "2026-10-17 is not a working day" in message and "2026-10-19" in message


def test_a_due_date_in_the_past_is_refused(calendar_2026):
    assert refusal(TODAY - timedelta(days=1)) == "The due date cannot be in the past."


@pytest.mark.parametrize("day", [date(9999, 12, 31), TODAY + timedelta(days=367)], ids=str)
def test_a_due_date_more_than_a_year_ahead_is_refused(calendar_2026, day):
    assert refusal(day) == "The due date cannot be more than a year ahead (after 2027-09-16)."


def test_a_due_date_in_a_year_without_a_calendar_is_refused_with_the_calendar_message(db):
    CalendarYear.objects.create(year=2027, is_complete=True)

    message = refusal(date(2028, 1, 4), today=date(2027, 12, 1))

    assert "The working-day calendar for 2028 has not been entered yet" in message


def test_a_day_off_whose_next_working_day_is_not_known_yet_is_refused_without_a_guess(db):
    CalendarYear.objects.create(year=2027, is_complete=True)
    SpecialDay.objects.create(date=date(2027, 12, 31), kind=SpecialDay.Kind.HOLIDAY, name="元旦")

    message = refusal(date(2027, 12, 31), today=date(2027, 12, 1))

    assert message == "2027-12-31 is not a working day (元旦). Choose a working day."
