"""The working-day calendar on China's 2026 schedule, as `load_year(2026)` enters it.

2026 (State Council schedule): Spring Festival Feb 15-23 off, Feb 14 (Sat) and
Feb 28 (Sat) worked; Mid-Autumn Sep 25-27 off; National Day Oct 1-7 off, Sep 20
(Sun) and Oct 10 (Sat) worked.
"""

from datetime import date, timedelta

import pytest
from django.utils import translation

from workdays.calendar import (
    CalendarMissing,
    add_working_days,
    is_working_day,
    working_days_between,
)
from workdays.loading import load_year
from workdays.models import CalendarYear, SpecialDay


@pytest.fixture
def calendar_2026(db):
    return load_year(2026)


@pytest.mark.parametrize("day", [date(2026, 10, d) for d in range(1, 8)], ids=str)
def test_every_day_of_national_day_golden_week_is_a_day_off(calendar_2026, day):
    assert is_working_day(day) is False


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 1),  # New Year's Day, a Thursday
        date(2026, 2, 16),  # Spring Festival, a Monday
        date(2026, 2, 23),  # last day of the Spring Festival break, a Monday
        date(2026, 9, 25),  # Mid-Autumn Festival, a Friday
        date(2026, 5, 1),  # Labour Day, a Friday
    ],
    ids=str,
)
def test_public_holidays_on_weekdays_are_days_off(calendar_2026, day):
    assert day.weekday() < 5
    assert is_working_day(day) is False


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 9, 20),  # Sunday worked for National Day
        date(2026, 10, 10),  # Saturday worked for National Day
        date(2026, 2, 14),  # Saturday worked for the Spring Festival
        date(2026, 2, 28),  # Saturday worked for the Spring Festival
        date(2026, 1, 4),  # Sunday worked for New Year's Day
        date(2026, 5, 9),  # Saturday worked for Labour Day
    ],
    ids=str,
)
def test_make_up_saturdays_and_sundays_are_working_days(calendar_2026, day):
    assert day.weekday() >= 5
    assert is_working_day(day) is True


@pytest.mark.parametrize(
    "day", [date(2026, 10, 17), date(2026, 10, 18), date(2026, 11, 28)], ids=str
)
def test_ordinary_weekends_are_days_off(calendar_2026, day):
    assert is_working_day(day) is False


@pytest.mark.parametrize(
    "day", [date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 14), date(2026, 11, 26)], ids=str
)
def test_ordinary_weekdays_are_working_days(calendar_2026, day):
    assert is_working_day(day) is True


def test_the_first_working_day_after_september_30_is_october_8(calendar_2026):
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)


def test_the_make_up_saturday_counts_when_adding_working_days(calendar_2026):
    # Oct 8 (Thu), Oct 9 (Fri), Oct 10 (make-up Sat), then Oct 11 is an ordinary Sunday.
    assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert add_working_days(date(2026, 9, 30), 4) == date(2026, 10, 12)


def test_the_make_up_sunday_is_the_next_working_day_after_a_friday(calendar_2026):
    assert add_working_days(date(2026, 9, 18), 1) == date(2026, 9, 20)


def test_a_fifteen_working_day_reply_deadline_skips_mid_autumn_and_golden_week(calendar_2026):
    # Sep 28, 29, 30, Oct 8, 9, 10, 12-16, 19-22: the fifteenth is Thursday Oct 22.
    assert add_working_days(date(2026, 9, 24), 15) == date(2026, 10, 22)


def test_adding_working_days_does_not_count_the_start_day(calendar_2026):
    assert add_working_days(date(2026, 10, 12), 1) == date(2026, 10, 13)


def test_adding_zero_working_days_gives_the_start_day(calendar_2026):
    assert add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 3)


def test_adding_a_negative_number_of_working_days_is_refused(calendar_2026):
    with pytest.raises(ValueError, match="must not be negative"):
        add_working_days(date(2026, 10, 12), -1)


def test_a_run_of_days_off_longer_than_the_first_window_read_is_still_counted(db):
    # One working day is looked for in a window of 23 days; a 41-day closure forces
    # the function to read a second window.
    CalendarYear.objects.create(year=2031, source="人工录入")
    SpecialDay.objects.bulk_create(
        SpecialDay(date=date(2031, 1, 1) + timedelta(days=n), kind=SpecialDay.Kind.HOLIDAY)
        for n in range(1, 41)
    )
    assert add_working_days(date(2031, 1, 1), 1) == date(2031, 2, 11)


def test_working_days_between_lists_the_working_days_around_golden_week(calendar_2026):
    assert working_days_between(date(2026, 9, 28), date(2026, 10, 11)) == [
        date(2026, 9, 28),
        date(2026, 9, 29),
        date(2026, 9, 30),
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),
    ]


def test_working_days_between_includes_both_ends(calendar_2026):
    assert working_days_between(date(2026, 10, 12), date(2026, 10, 13)) == [
        date(2026, 10, 12),
        date(2026, 10, 13),
    ]
    assert working_days_between(date(2026, 10, 12), date(2026, 10, 12)) == [date(2026, 10, 12)]


def test_working_days_between_a_later_first_day_and_an_earlier_last_day_is_empty(calendar_2026):
    assert working_days_between(date(2026, 10, 13), date(2026, 10, 12)) == []


def test_2026_has_248_working_days(calendar_2026):
    # 261 weekdays, less 19 weekday holidays, plus 6 make-up Saturdays and Sundays.
    assert len(working_days_between(date(2026, 1, 1), date(2026, 12, 31))) == 248


def test_asking_about_a_year_without_a_calendar_raises_calendar_missing(db):
    with pytest.raises(CalendarMissing) as raised:
        is_working_day(date(2030, 3, 4))
    assert raised.value.year == 2030


def test_calendar_missing_says_which_year_and_what_to_do(db):
    with translation.override("en"), pytest.raises(CalendarMissing) as raised:
        is_working_day(date(2030, 3, 4))
    assert str(raised.value) == (
        "The working-day calendar for 2030 has not been entered yet. "
        "An administrator must add it before deadlines in that year can be counted."
    )


def test_special_days_without_a_calendar_year_are_not_enough_to_answer(db):
    # Someone typed in one holiday, but nobody has entered the year as a whole.
    SpecialDay.objects.create(date=date(2030, 10, 1), kind=SpecialDay.Kind.HOLIDAY, name="国庆节")
    with pytest.raises(CalendarMissing):
        is_working_day(date(2030, 10, 1))
    with pytest.raises(CalendarMissing):
        is_working_day(date(2030, 10, 8))


def test_a_loaded_year_does_not_vouch_for_the_next(calendar_2026):
    with pytest.raises(CalendarMissing) as raised:
        is_working_day(date(2027, 1, 4))
    assert raised.value.year == 2027


def test_a_deadline_running_into_a_missing_year_raises_instead_of_guessing(calendar_2026):
    with pytest.raises(CalendarMissing) as raised:
        add_working_days(date(2026, 12, 28), 5)
    assert raised.value.year == 2027


def test_a_deadline_within_the_loaded_year_does_not_need_the_next(calendar_2026):
    # Dec 29, 30, 31 are working days; Jan 2027 is never looked at.
    assert add_working_days(date(2026, 12, 28), 3) == date(2026, 12, 31)


def test_working_days_between_across_into_a_missing_year_raises(calendar_2026):
    with pytest.raises(CalendarMissing) as raised:
        working_days_between(date(2026, 12, 28), date(2027, 1, 8))
    assert raised.value.year == 2027


def test_a_deadline_crosses_into_a_loaded_next_year(calendar_2026, db):
    load_year(2027)
    # Dec 31 (Thu), then Jan 1 2027 (Fri) is New Year's Day, then a weekend.
    assert add_working_days(date(2026, 12, 30), 2) == date(2027, 1, 4)


def test_a_calendar_year_entered_by_hand_with_no_special_days_follows_the_plain_week(db):
    CalendarYear.objects.create(year=2031, is_complete=False, source="人工录入")
    assert is_working_day(date(2031, 1, 6)) is True  # Monday
    assert is_working_day(date(2031, 1, 4)) is False  # Saturday


def test_a_single_question_reads_the_calendar_in_two_queries(
    calendar_2026, django_assert_num_queries
):
    # 1. the calendar years in range, 2. the special days in range.
    with django_assert_num_queries(2):
        is_working_day(date(2026, 10, 10))
    with django_assert_num_queries(2):
        working_days_between(date(2026, 1, 1), date(2026, 12, 31))
