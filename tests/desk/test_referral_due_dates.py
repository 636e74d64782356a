"""The referral step's reply due date: a working day on the calendar, not past, at most a
year ahead, refused next to the field otherwise; and the step warns when a year's
calendar it may count in is missing or incomplete."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from visits import lifecycle
from visits.lifecycle import CaseError
from visits.models import Case, CaseStatus, Referral
from workdays.calendar import add_working_days
from workdays.models import CalendarYear, SpecialDay

from ..factories import DepartmentFactory, open_case
from ..pages import errors_next_to, html, section
from ..posts import act


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def holiday(db, today) -> date:
    """This year complete, next year entered without its make-up days, and a weekday
    holiday two weeks from now."""
    CalendarYear.objects.create(year=today.year, is_complete=True)
    CalendarYear.objects.create(year=today.year + 1, is_complete=False)
    day = today + timedelta(days=14)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    SpecialDay.objects.create(date=day, kind=SpecialDay.Kind.HOLIDAY, name="区庆日")
    return day


@pytest.fixture
def case(staff, workstation) -> Case:
    return open_case(workstation=workstation, actor=staff)


@pytest.fixture
def department(db):
    return DepartmentFactory(name="区住建局")


def refer(client, case: Case, department, due_on: str):
    return act(client, case, "refer", department=department.pk, role="lead", due_on=due_on, note="")


def unchanged(case: Case) -> bool:
    case.refresh_from_db()
    return case.status == CaseStatus.REGISTERED and not Referral.objects.exists()


def test_a_reply_due_on_9999_12_31_is_refused_next_to_the_field_and_changes_nothing(
    sign_in, staff, case, department, holiday, today
):
    response = refer(sign_in(staff), case, department, "9999-12-31")

    assert response.status_code == 400
    last = today + timedelta(days=366)
    assert errors_next_to(response, "id_refer-due_on") == [
        f"The due date cannot be more than a year ahead (after {last:%Y-%m-%d})."
    ]
    assert unchanged(case)


def test_a_reply_due_on_a_public_holiday_is_refused_naming_the_next_working_day(
    sign_in, staff, case, department, holiday
):
    response = refer(sign_in(staff), case, department, f"{holiday:%Y-%m-%d}")

    assert response.status_code == 400
    [error] = errors_next_to(response, "id_refer-due_on")
    assert error.startswith(f"{holiday:%Y-%m-%d} is not a working day (区庆日).")
    assert f"{add_working_days(holiday, 1):%Y-%m-%d}" in error
    assert unchanged(case)


def test_a_reply_due_on_a_working_day_is_sent(sign_in, staff, case, department, holiday):
    due = add_working_days(holiday, 1)

    response = refer(sign_in(staff), case, department, f"{due:%Y-%m-%d}")

    assert response.status_code == 302
    assert Referral.objects.get().due_on == due


def test_the_referral_step_warns_that_next_years_calendar_is_incomplete(
    sign_in, staff, case, holiday, today
):
    page = sign_in(staff).get(f"/cases/{case.number}/")

    step = section(page, "action-refer", "action-merge")
    assert f"The working-day calendar for {today.year + 1} is not complete" in step
    # Only the referral step counts days ahead: the others say nothing of the calendar.
    assert html(page).count("The working-day calendar for") == 1


def test_the_lifecycle_refuses_a_due_date_beyond_a_year_whoever_calls_it(
    staff, case, department, holiday, today
):
    # Not only the form: admin, commands and the demo refer through the same function.
    with pytest.raises(CaseError, match="more than a year ahead"):
        lifecycle.case_refer(
            case=case, actor=staff, department=department, due_on=date(9999, 12, 31)
        )

    assert unchanged(case)
