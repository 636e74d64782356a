"""A clock on every open state (issue 12): each open case has its next deadline, and once
it passes, "overdue" shows on the case list, under its filter, on the case page, to the
citizen on /track/ and in the public statistics — and not a day before. The office's time
limits per year and category count the dates; changing one moves no date already set."""

import re
from datetime import date, datetime, time, timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.utils import timezone

from visits import lifecycle
from visits.lookup_codes import case_lookup_code_renew
from visits.models import Case, CaseCategory, Referral, TimeLimit
from workdays.calendar import add_working_days

from .factories import DepartmentFactory, VisitFactory, open_case
from .pages import html, listed
from .public.tracking import tracking
from .stories import expected_deadline

OPEN_SITUATIONS = [
    "submitted",
    "registered",
    "consulting",
    "referred",
    "acknowledged with co",
    "replied with co",
    "resolved",
    "reopened with co",
    "referred again after reopening",
]


# Public pages are cached for the day; each day of a test must compute its own.
pytestmark = pytest.mark.usefixtures("empty_shared_cache")


def on(time_machine, day: date) -> None:
    time_machine.move_to(timezone.make_aware(datetime.combine(day, time(10))), tick=False)


def overdue_everywhere(sign_in, staff, case: Case, code: str) -> dict[str, bool]:
    """Whether each place that shows a case says it is overdue."""
    staff_client = sign_in(staff)
    row = next(
        line
        for line in html(staff_client.get("/cases/")).split("<tr>")
        if f"/cases/{case.number}/" in line
    )
    case_page = html(staff_client.get(f"/cases/{case.number}/"))
    stats = html(sign_in(language="en").get("/stats/", {"year": case.created_at.year}))
    overdue_figure = re.search(r"<dt>Overdue cases</dt>\s*<dd[^>]*>(\d+)</dd>", stats).group(1)
    return {
        "list": "overdue" in row,
        "filter": case.number in listed(staff_client.get("/cases/", {"overdue": "on"})),
        "case page": "· overdue</span>" in case_page,
        "track": "late: the workstation is behind"
        in html(tracking(case.number, code).get("/track/")),
        "statistics": overdue_figure == "1",
    }


@pytest.mark.parametrize("situation", OPEN_SITUATIONS)
def test_an_open_case_has_a_deadline_and_is_overdue_everywhere_once_it_passes(
    story, sign_in, staff, time_machine, situation
):
    case = Case.objects.get(pk=story(situation).case.pk)
    code = case_lookup_code_renew(case=case)
    due = case.next_due_on

    assert due is not None
    assert due == expected_deadline(case)
    on(time_machine, due)
    assert not any(overdue_everywhere(sign_in, staff, case, code).values())
    on(time_machine, due + timedelta(days=1))
    assert all(overdue_everywhere(sign_in, staff, case, code).values())


def test_a_case_whose_referrals_were_all_sent_back_is_due_to_be_handled_again(story):
    s = story("referred")

    lifecycle.referral_return(referral=s.lead, actor=s.actor, reason="不属本局职责", now=s.tick())

    case = Case.objects.get(pk=s.case.pk)
    assert case.status == Case.Status.REFERRED
    assert case.step_due_on == add_working_days(timezone.localdate(s.now), 5)
    assert case.next_due_on == case.step_due_on


# --- the office's time limits ---------------------------------------------------------

MONDAY = timezone.make_aware(datetime(2026, 3, 2, 10, 0))


def registered(workstation, staff, category=CaseCategory.PROPERTY) -> Case:
    return open_case(
        visit=VisitFactory(workstation=workstation), actor=staff, now=MONDAY, category=category
    )


@pytest.mark.usefixtures("calendar_2026", "deadlines")
def test_the_offices_limit_for_the_year_counts_the_date_and_a_categorys_own_comes_first(
    workstation, staff
):
    TimeLimit.objects.create(year=2026, step=TimeLimit.Step.FIRST_HANDLING, working_days=3)
    TimeLimit.objects.create(
        year=2026,
        step=TimeLimit.Step.FIRST_HANDLING,
        category=CaseCategory.FIRE_SAFETY,
        working_days=1,
    )
    TimeLimit.objects.create(year=2027, step=TimeLimit.Step.FIRST_HANDLING, working_days=9)

    # Monday 2 March: three working days for every category, one for fire safety.
    assert registered(workstation, staff).step_due_on == date(2026, 3, 5)
    assert registered(workstation, staff, CaseCategory.FIRE_SAFETY).step_due_on == date(2026, 3, 3)
    # Without a limit of the office, the default (five working days).
    TimeLimit.objects.filter(year=2026).delete()
    assert registered(workstation, staff).step_due_on == date(2026, 3, 9)


@pytest.mark.usefixtures("calendar_2026", "deadlines")
def test_changing_a_limit_moves_no_date_already_set_and_counts_the_new_ones(workstation, staff):
    limit = TimeLimit.objects.create(year=2026, step=TimeLimit.Step.ACKNOWLEDGE, working_days=2)
    first = registered(workstation, staff)
    promised = lifecycle.case_refer(
        case=first, actor=staff, department=DepartmentFactory(), now=MONDAY
    )

    limit.working_days = 4
    limit.save()

    assert limit.version == 2
    assert Case.objects.get(pk=first.pk).next_due_on == date(2026, 3, 4)
    assert Referral.objects.get(pk=promised.pk).acknowledge_due_on == date(2026, 3, 4)
    later = lifecycle.case_refer(
        case=registered(workstation, staff), actor=staff, department=DepartmentFactory(), now=MONDAY
    )
    assert later.acknowledge_due_on == date(2026, 3, 6)


@pytest.mark.parametrize("days", ["0", "-1", "1.5", "251"])
def test_admin_refuses_a_limit_that_is_not_a_positive_whole_number_of_working_days(
    admin_client, days
):
    response = admin_client.post(
        "/admin/visits/timelimit/add/",
        {"year": "2026", "step": "reply", "category": "", "working_days": days},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["working_days"]
    assert not TimeLimit.objects.exists()


def test_admin_refuses_a_second_limit_for_the_same_step_and_category(admin_client):
    TimeLimit.objects.create(year=2026, step=TimeLimit.Step.REPLY, working_days=15)

    response = admin_client.post(
        "/admin/visits/timelimit/add/",
        {"year": "2026", "step": "reply", "category": "", "working_days": "10"},
    )

    assert response.status_code == 200
    assert "already has a limit for this step and category" in html(response)
    assert TimeLimit.objects.get().working_days == 15


@pytest.mark.usefixtures("calendar_2026", "deadlines")
def test_the_migration_gives_the_open_cases_of_an_existing_database_their_steps_date(
    workstation, staff
):
    backfill = import_module("visits.migrations.0003_backfill_step_due").backfill
    waiting = registered(workstation, staff)
    returned = lifecycle.case_refer(
        case=registered(workstation, staff), actor=staff, department=DepartmentFactory(), now=MONDAY
    )
    still_referred = lifecycle.case_refer(
        case=registered(workstation, staff), actor=staff, department=DepartmentFactory(), now=MONDAY
    )
    lifecycle.referral_return(
        referral=returned, actor=staff, reason="不属本局职责", now=MONDAY + timedelta(days=1)
    )
    # As the cases stood before the clock: no step date, and none due while registered.
    Case.objects.update(step_due_on=None)
    Case.objects.filter(pk__in=[waiting.pk, returned.case_id]).update(next_due_on=None)

    backfill(apps, None)

    # Registered Monday 2 March: five working days; the return on Tuesday: five from then.
    assert Case.objects.get(pk=waiting.pk).next_due_on == date(2026, 3, 9)
    assert Case.objects.get(pk=returned.case_id).next_due_on == date(2026, 3, 10)
    assert Case.objects.get(pk=still_referred.case_id).step_due_on is None
