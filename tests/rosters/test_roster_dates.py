"""The roster week and month read the day to show from ?date=: a day that is no date, or
one outside the years a roster holds (2000–2100), shows today's instead with a message,
never a server error."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rosters.calendars import month_bounds, week_start

UNSHOWABLE = ["2026-02-30", "0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01", "soon"]
MESSAGE = "That date cannot be shown"


def url(view: str, workstation, day: str) -> str:
    return reverse(f"rosters:roster_{view}", args=[workstation.slug]) + f"?date={day}"


@pytest.fixture
def liaison(staff, sign_in) -> Client:
    return sign_in(staff, raise_request_exception=False)


@pytest.mark.parametrize("day", UNSHOWABLE)
def test_the_week_of_an_impossible_or_unshowable_date_shows_this_week_with_a_message(
    liaison, workstation, day
):
    response = liaison.get(url("week", workstation, day))

    assert response.status_code == 200
    assert response.context["first"] == week_start(timezone.localdate())
    assert MESSAGE in response.content.decode()


@pytest.mark.parametrize("day", UNSHOWABLE)
def test_the_month_of_an_impossible_or_unshowable_date_shows_this_month_with_a_message(
    liaison, workstation, day
):
    response = liaison.get(url("month", workstation, day))

    assert response.status_code == 200
    assert response.context["first"] == timezone.localdate().replace(day=1)
    assert MESSAGE in response.content.decode()


@pytest.mark.parametrize("day", [date(2000, 1, 1), date(2100, 12, 31), date(2028, 2, 29)])
def test_the_first_and_last_days_a_roster_holds_show_their_own_week_and_month(
    liaison, workstation, day
):
    week = liaison.get(url("week", workstation, f"{day:%Y-%m-%d}"))
    month = liaison.get(url("month", workstation, f"{day:%Y-%m-%d}"))

    assert (week.status_code, month.status_code) == (200, 200)
    assert week.context["first"] == week_start(day)
    assert month.context["first"] == month_bounds(day)[0]
    assert MESSAGE not in week.content.decode() + month.content.decode()
