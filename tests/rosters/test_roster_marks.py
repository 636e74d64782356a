"""The month roster marks the working-day calendar's public holidays (休) and make-up
working days (班, 调休); a month of a year the calendar does not know shows unmarked, with
a note. Every role on the month view."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workdays.models import CalendarYear, SpecialDay

from ..factories import DutyShiftFactory


def month_url(workstation, day: date) -> str:
    return reverse("rosters:roster_month", args=[workstation.slug]) + f"?date={day:%Y-%m-%d}"


def days(response) -> dict[int, tuple[str, str]]:
    """The month's own days: day of the month -> (the cell's classes, its text)."""
    cells = re.findall(r'<td class="([^"]*)">(.*?)</td>', response.content.decode(), re.S)
    found = {}
    for classes, body in cells:
        if "outside" in classes.split():
            continue
        number = int(re.search(r'<span class="day-of-month">(\d+)</span>', body).group(1))
        found[number] = (classes, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip())
    return found


@pytest.fixture
def october(calendar_2026, workstation):
    """October 2026: National Day from the 1st (a Thursday), made up on Saturday the 10th."""
    DutyShiftFactory(workstation=workstation, date=date(2026, 10, 9), theme="节后第一班")
    return month_url(workstation, date(2026, 10, 1))


def test_the_month_marks_public_holidays_and_make_up_working_days(sign_in, staff, october):
    response = sign_in(staff, language="zh-hans").get(october)

    month = days(response)
    assert response.status_code == 200
    assert "holiday" in month[1][0].split() and "休 国庆节" in month[1][1]
    assert "makeup-workday" in month[10][0].split() and "班 国庆节调休上班" in month[10][1]
    # An ordinary working day and an ordinary weekend are not marked.
    assert month[9][0].split() == [] and "节后第一班" in month[9][1]
    assert "休" not in month[17][1] and "班" not in month[17][1]
    assert "calendar-note" not in response.content.decode()


def test_the_marks_read_in_english_when_english_is_chosen(sign_in, staff, october):
    month = days(sign_in(staff).get(october))

    assert "Day off National Day" in month[1][1]
    assert "Working day Make-up working day for National Day" in month[10][1]


def test_a_day_the_office_entered_by_hand_shows_its_own_name(sign_in, staff, workstation):
    CalendarYear.objects.create(year=2031, is_complete=True)
    SpecialDay.objects.create(date=date(2031, 3, 5), kind=SpecialDay.Kind.HOLIDAY, name="区庆")

    month = days(sign_in(staff).get(month_url(workstation, date(2031, 3, 1))))

    assert "Day off 区庆" in month[5][1]


def test_a_month_of_a_year_the_calendar_does_not_know_shows_unmarked_with_a_note(
    sign_in, staff, workstation
):
    DutyShiftFactory(workstation=workstation, date=date(2031, 10, 1), theme="未知年份")

    response = sign_in(staff).get(month_url(workstation, date(2031, 10, 1)))

    page = response.content.decode()
    assert response.status_code == 200
    assert "未知年份" in page
    assert not any(
        {"holiday", "makeup-workday"} & set(c.split()) for c, _ in days(response).values()
    )
    assert (
        "The working-day calendar for 2031 has not been entered: its public holidays and "
        "make-up working days are not marked." in page
    )


def test_a_month_of_a_year_entered_without_its_make_up_days_says_they_may_be_missing(
    sign_in, staff, workstation
):
    CalendarYear.objects.create(year=2031, is_complete=False)

    page = sign_in(staff).get(month_url(workstation, date(2031, 10, 1))).content.decode()

    assert "make-up working days may be missing here." in page


def test_the_marks_and_the_note_cost_the_same_queries_for_any_number_of_shifts(
    sign_in, staff, workstation, october, django_assert_num_queries
):
    client = sign_in(staff)
    client.get(october)
    with CaptureQueriesContext(connection) as few:
        client.get(october)
    for day in range(11, 31):
        DutyShiftFactory(workstation=workstation, date=date(2026, 10, day))

    with django_assert_num_queries(len(few)):
        client.get(october)


@pytest.mark.parametrize(("persona", "status"), [("administrator", 200), ("staff", 200)])
def test_administrators_and_the_workstations_staff_see_the_marked_month(
    sign_in, request, october, persona, status
):
    response = sign_in(request.getfixturevalue(persona)).get(october)

    assert response.status_code == status
    assert "holiday" in days(response)[1][0].split()


@pytest.mark.parametrize("persona", ["other_staff", "member_user"])
def test_staff_of_another_workstation_and_members_get_404_on_the_month(
    sign_in, request, october, persona
):
    assert sign_in(request.getfixturevalue(persona)).get(october).status_code == 404


def test_the_month_sends_the_anonymous_to_sign_in(sign_in, october):
    response = sign_in().get(october)

    assert response.status_code == 302 and response["Location"].startswith("/login/")
