"""Warnings about the calendar: a year not entered, or entered without its make-up
working days confirmed, asked of one function by the admin index, the referral form and
the rotation generator."""

from datetime import date

import pytest
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from workdays.calendar import calendar_gaps
from workdays.loading import load_year
from workdays.models import CalendarYear

from ..factories import ActivityGroupFactory, MemberFactory

GENERATE = reverse_lazy("admin:rosters_dutyshift_generate")


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def calendars(db):
    """2026 complete (chinese-calendar), 2027 statutory holidays only, 2028 not entered."""
    load_year(2026)
    CalendarYear.objects.create(year=2027, is_complete=False, source="holidays")


def test_an_incomplete_and_a_missing_year_are_gaps_and_a_complete_year_is_not(calendars):
    gaps = calendar_gaps(date(2026, 3, 1), date(2028, 2, 1))

    assert [(gap.year, gap.entered) for gap in gaps] == [(2027, True), (2028, False)]
    incomplete, missing = (str(gap) for gap in gaps)
    assert "2027" in incomplete and "make-up working days" in incomplete
    assert "2028" in missing and "has not been entered" in missing


def test_the_gaps_run_to_the_end_of_next_year_by_default(calendars):
    assert [gap.year for gap in calendar_gaps(date(2026, 12, 1))] == [2027]
    assert [gap.year for gap in calendar_gaps(date(2027, 1, 1))] == [2027, 2028]


def test_without_dates_the_gaps_are_this_years_and_next_years(db):
    this_year = timezone.localdate().year
    CalendarYear.objects.create(year=this_year, is_complete=True)

    assert [gap.year for gap in calendar_gaps()] == [this_year + 1]


def test_the_gaps_are_read_in_one_query(calendars, django_assert_num_queries):
    with django_assert_num_queries(1):
        calendar_gaps(date(2026, 1, 1), date(2030, 12, 31))


def test_the_admin_index_warns_of_this_and_next_years_gaps(sign_in, administrator, db):
    this_year = timezone.localdate().year
    CalendarYear.objects.create(year=this_year, is_complete=False)

    page = sign_in(administrator).get(reverse("admin:index")).content.decode()

    assert 'id="calendar-gaps"' in page
    assert f"The working-day calendar for {this_year} is not complete" in page
    assert f"The working-day calendar for {this_year + 1} has not been entered" in page


def test_the_admin_index_is_quiet_when_both_years_are_complete(sign_in, administrator, db):
    this_year = timezone.localdate().year
    for year in (this_year, this_year + 1):
        CalendarYear.objects.create(year=year, is_complete=True)

    page = sign_in(administrator).get(reverse("admin:index")).content.decode()

    assert 'id="calendar-gaps"' not in page


def _rotation(workstation, group, first: str, last: str) -> dict:
    return {
        "workstations": [workstation.pk],
        "first": first,
        "last": last,
        "recurrence": "working_days",
        "nth": "1",
        "slots": "09:00-11:30",
        "members_per_shift": "1",
        "groups": [group.pk],
        "holidays": "skip",
        "preview": "1",
    }


def test_the_rotation_generator_warns_of_the_gaps_in_the_range_it_previews(
    sign_in, administrator, calendars, workstation
):
    group = ActivityGroupFactory(name="法制组")
    MemberFactory(activity_group=group)
    client = sign_in(administrator)

    in_2027 = client.post(GENERATE, _rotation(workstation, group, "2027-01-04", "2027-01-29"))
    in_2026 = client.post(GENERATE, _rotation(workstation, group, "2026-03-02", "2026-03-27"))

    assert in_2027.context["preview"].new_shifts
    assert [gap.year for gap in in_2027.context["calendar_gaps"]] == [2027]
    assert 'id="calendar-gaps"' in in_2027.content.decode()
    assert "The working-day calendar for 2027 is not complete" in in_2027.content.decode()
    assert in_2026.context["preview"].new_shifts and in_2026.context["calendar_gaps"] == []
    assert 'id="calendar-gaps"' not in in_2026.content.decode()


def test_the_rotation_generator_form_warns_of_this_and_next_years_gaps(sign_in, administrator, db):
    this_year = timezone.localdate().year
    CalendarYear.objects.create(year=this_year, is_complete=True)

    page = sign_in(administrator).get(GENERATE).content.decode()

    assert f"The working-day calendar for {this_year + 1} has not been entered" in page
