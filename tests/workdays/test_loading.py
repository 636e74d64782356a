"""Filling the calendar from chinese-calendar and holidays, and administrators' own edits."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.signing import force_login
from workdays.calendar import add_working_days, is_working_day
from workdays.loading import load_year
from workdays.models import CalendarYear, SpecialDay


def _special_days(year: int) -> dict[date, str]:
    return dict(SpecialDay.objects.filter(date__year=year).values_list("date", "kind"))


def test_loading_2026_stores_a_complete_year_from_chinese_calendar(db):
    calendar_year = load_year(2026)

    calendar_year.refresh_from_db()
    assert calendar_year.year == 2026
    assert calendar_year.is_complete is True
    assert calendar_year.source == "chinese-calendar"


def test_loading_2026_enters_golden_week_as_holidays_and_the_make_up_days_as_workdays(db):
    load_year(2026)

    days = _special_days(2026)
    for day in range(1, 8):
        assert days[date(2026, 10, day)] == SpecialDay.Kind.HOLIDAY
    assert days[date(2026, 9, 20)] == SpecialDay.Kind.MAKEUP_WORKDAY
    assert days[date(2026, 10, 10)] == SpecialDay.Kind.MAKEUP_WORKDAY
    assert date(2026, 10, 8) not in days
    assert date(2026, 10, 17) not in days  # ordinary weekends need no row
    assert SpecialDay.objects.get(date=date(2026, 10, 1)).name == "National Day"


def test_loading_2026_enters_exactly_the_six_make_up_working_days(db):
    load_year(2026)

    assert sorted(
        SpecialDay.objects.filter(kind=SpecialDay.Kind.MAKEUP_WORKDAY).values_list(
            "date", flat=True
        )
    ) == [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]


def test_loading_a_year_chinese_calendar_does_not_know_stores_it_as_incomplete(db):
    calendar_year = load_year(2027)

    calendar_year.refresh_from_db()
    assert calendar_year.is_complete is False
    assert calendar_year.source == "holidays (statutory holidays only)"


def test_a_year_from_the_holidays_package_has_statutory_holidays_but_no_make_up_days(db):
    load_year(2027)

    days = _special_days(2027)
    assert days[date(2027, 1, 1)] == SpecialDay.Kind.HOLIDAY  # a Friday
    assert days[date(2027, 10, 1)] == SpecialDay.Kind.HOLIDAY  # a Friday
    assert SpecialDay.Kind.MAKEUP_WORKDAY not in days.values()
    # Holidays falling on a weekend are already days off: no row for them.
    assert all(day.weekday() < 5 for day in days)
    assert "国庆节" in SpecialDay.objects.get(date=date(2027, 10, 1)).name


def test_an_incomplete_year_still_answers_from_what_it_knows(db):
    load_year(2027)

    assert is_working_day(date(2027, 10, 1)) is False
    assert is_working_day(date(2027, 10, 13)) is True  # an ordinary Wednesday
    assert is_working_day(date(2027, 10, 16)) is False  # an ordinary Saturday


def test_loading_does_not_overwrite_a_year_an_administrator_entered(db):
    entered = CalendarYear.objects.create(year=2026, is_complete=True, source="区政协办公室录入")
    SpecialDay.objects.create(date=date(2026, 10, 9), kind=SpecialDay.Kind.HOLIDAY, name="补休")

    returned = load_year(2026)

    assert returned.pk == entered.pk
    entered.refresh_from_db()
    assert entered.source == "区政协办公室录入"
    assert list(SpecialDay.objects.values_list("date", "kind", "name")) == [
        (date(2026, 10, 9), SpecialDay.Kind.HOLIDAY, "补休")
    ]


def test_loading_with_replace_overwrites_the_year_an_administrator_entered(db):
    CalendarYear.objects.create(year=2026, is_complete=False, source="区政协办公室录入")
    SpecialDay.objects.create(date=date(2026, 10, 9), kind=SpecialDay.Kind.HOLIDAY, name="补休")

    returned = load_year(2026, replace=True)

    assert CalendarYear.objects.get() == returned
    assert returned.source == "chinese-calendar"
    assert returned.is_complete is True
    days = _special_days(2026)
    assert date(2026, 10, 9) not in days
    assert days[date(2026, 10, 10)] == SpecialDay.Kind.MAKEUP_WORKDAY


def test_replacing_a_year_leaves_the_neighbouring_years_alone(db):
    load_year(2027)
    kept = SpecialDay.objects.create(
        date=date(2027, 10, 9), kind=SpecialDay.Kind.MAKEUP_WORKDAY, name="国庆节调休"
    )
    load_year(2026)

    load_year(2026, replace=True)

    assert SpecialDay.objects.filter(pk=kept.pk).exists()
    assert CalendarYear.objects.filter(year=2027, is_complete=False).exists()


def test_loading_the_same_year_twice_changes_nothing(db):
    load_year(2026)
    before = list(SpecialDay.objects.values_list("date", "kind", "name"))

    load_year(2026)

    assert list(SpecialDay.objects.values_list("date", "kind", "name")) == before
    assert CalendarYear.objects.filter(year=2026).count() == 1


def test_an_administrator_turning_a_make_up_saturday_into_a_day_off_changes_the_answer(
    client, administrator
):
    load_year(2026)
    saturday = SpecialDay.objects.get(date=date(2026, 10, 10))
    assert is_working_day(date(2026, 10, 10)) is True
    force_login(client, administrator)

    response = client.post(
        reverse("admin:workdays_specialday_change", args=[saturday.pk]),
        {"date": "2026-10-10", "kind": SpecialDay.Kind.HOLIDAY, "name": "国庆节（调整）"},
    )

    assert response.status_code == 302
    assert is_working_day(date(2026, 10, 10)) is False
    assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 12)


def test_an_administrator_entering_a_make_up_day_for_an_incomplete_year_changes_the_answer(
    client, administrator
):
    load_year(2027)
    assert is_working_day(date(2027, 9, 26)) is False  # a Sunday
    force_login(client, administrator)

    response = client.post(
        reverse("admin:workdays_specialday_add"),
        {"date": "2027-09-26", "kind": SpecialDay.Kind.MAKEUP_WORKDAY, "name": "国庆节调休"},
    )

    assert response.status_code == 302
    assert is_working_day(date(2027, 9, 26)) is True
    # And reloading the year afterwards keeps what the administrator entered.
    load_year(2027)
    assert is_working_day(date(2027, 9, 26)) is True


def test_an_administrator_deleting_a_holiday_makes_it_a_working_day_again(client, administrator):
    load_year(2026)
    holiday = SpecialDay.objects.get(date=date(2026, 10, 7))
    force_login(client, administrator)

    response = client.post(
        reverse("admin:workdays_specialday_delete", args=[holiday.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert is_working_day(date(2026, 10, 7)) is True


@pytest.mark.parametrize(
    ("year", "report"),
    [
        (2026, "2026: chinese-calendar (complete)\n"),
        (
            2027,
            "2027: holidays (statutory holidays only) (INCOMPLETE: enter make-up working days)\n",
        ),
    ],
)
def test_the_load_calendar_command_reports_whether_each_year_is_complete(db, year, report):
    out = io.StringIO()

    call_command("load_calendar", str(year), stdout=out)

    assert out.getvalue() == report
    assert CalendarYear.objects.filter(year=year).exists()
