"""The dashboard (`desk.views.dashboard`) as workstation staff use it: the open cases of
their workstations counted by status, the overdue ones and those waiting for them, this
week's duty shifts, the button to log a visit.

Who sees which cases is tested in tests/visits/test_access.py, the dashboard's queries in
test_staff_pages.py."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from desk.views import WAITING, waiting_statuses
from visits import lifecycle
from visits.models import Case, CaseStatus

from ..factories import DutyAssignmentFactory, DutyShiftFactory, MemberFactory, open_case
from ..pages import html, listed, section
from ..stories import days_ago

pytestmark = pytest.mark.usefixtures("working_calendar", "deadlines")

S = CaseStatus


def figures(response) -> dict[str, int]:
    """The dashboard's open-case cards: status label -> count."""
    cards = re.findall(r'<div class="figure">(\d+)</div><div>([^<]+)</div>', html(response))
    return {label: int(n) for n, label in cards}


# --- dashboard ------------------------------------------------------------------------


def test_the_dashboard_counts_the_open_cases_of_the_users_workstations_by_status(
    client, world, workstation, other_workstation
):
    world.registered(workstation)
    world.registered(workstation)
    world.consulting(workstation)
    world.overdue(workstation)
    world.replied(workstation)
    world.resolved(workstation)
    world.closed(workstation)
    world.submitted(workstation)
    world.registered(other_workstation)
    world.overdue(other_workstation)

    response = client.get("/dashboard/")

    assert response.status_code == 200
    assert figures(response) == {
        "Submitted online": 1,
        "Registered": 2,
        "Consulting": 1,
        "Referred": 1,
        "Department replied": 1,
        "Resolved": 1,
    }
    assert "Open cases: 7" in html(response)


def test_the_administrators_dashboard_counts_every_workstation(
    sign_in, administrator, world, workstation, other_workstation
):
    world.registered(workstation)
    world.registered(other_workstation)
    world.overdue(other_workstation)

    response = sign_in(administrator).get("/dashboard/")

    assert figures(response)["Registered"] == 2
    assert figures(response)["Referred"] == 1
    assert "Open cases: 3" in html(response)


def test_the_dashboard_lists_the_overdue_cases_and_none_of_another_workstations(
    client, world, staff, workstation, other_workstation
):
    past_reply = world.overdue(workstation)
    # Resolved long ago and never followed up with the citizen: overdue as well.
    past_follow_up = open_case(workstation=workstation, actor=staff, now=days_ago(40))
    lifecycle.case_resolve(case=past_follow_up, actor=staff, note="已解决", now=days_ago(30))
    not_yet_due = world.referred(workstation)
    elsewhere = world.overdue(other_workstation)

    response = client.get("/dashboard/")

    overdue = listed(response, start="overdue-heading", end="waiting-heading")
    assert sorted(overdue) == sorted([past_reply.number, past_follow_up.number])
    assert not_yet_due.number not in html(response)
    assert elsewhere.number not in html(response)
    assert "overdue" in section(response, "overdue-heading", "waiting-heading")


def test_the_dashboard_lists_the_cases_waiting_for_staff_action(client, world, workstation):
    submitted = world.submitted(workstation)
    replied = world.replied(workstation)
    resolved = world.resolved(workstation)
    registered = world.registered(workstation)

    response = client.get("/dashboard/")

    waiting = listed(response, start="waiting-heading", end="duty-heading")
    assert {submitted.number, replied.number, resolved.number} <= set(waiting)
    assert registered.number not in waiting
    assert all(
        Case.objects.get(number=n).status in (S.SUBMITTED, S.REPLIED, S.RESOLVED) for n in waiting
    )


def test_the_dashboard_shows_this_weeks_duty_shifts_at_the_users_workstations_only(
    client, workstation, other_workstation
):
    today = timezone.localdate()
    here = DutyShiftFactory(workstation=workstation, date=today, theme="物业纠纷专场")
    DutyAssignmentFactory(
        shift=here, member=MemberFactory(name="张律师", home_workstation=workstation)
    )
    DutyShiftFactory(workstation=workstation, date=today + timedelta(days=7), theme="下周专场")
    elsewhere = DutyShiftFactory(workstation=other_workstation, date=today, theme="胡家庙专场")
    DutyAssignmentFactory(
        shift=elsewhere, member=MemberFactory(name="胡委员", home_workstation=other_workstation)
    )

    response = client.get("/dashboard/")

    duty = section(response, "duty-heading")
    assert "物业纠纷专场" in duty
    assert "张律师" in duty
    assert "today" in duty
    assert "下周专场" not in duty
    assert "胡家庙专场" not in duty
    assert "胡委员" not in duty


def test_a_shift_nobody_is_assigned_to_is_flagged_on_the_dashboard(client, workstation):
    DutyShiftFactory(workstation=workstation, theme="无人值守")

    duty = section(client.get("/dashboard/"), "duty-heading")

    assert "无人值守" in duty
    assert "nobody" in duty


def test_the_dashboard_offers_staff_the_button_to_log_a_visit(client, workstation):
    assert 'href="/visits/new/"' in section(client.get("/dashboard/"), "main", "open-heading")


# --- a member's dashboard: only the work a member may do ---------------------------------


@pytest.fixture
def june(time_machine, calendar_2026):
    """Monday 15 June 2026 in Xi'an, before the cases are made, with 2026's calendar (the
    module's own calendar is the real clock's years, loaded before the clock moves)."""
    time_machine.move_to(timezone.make_aware(datetime(2026, 6, 15, 10)), tick=False)


def test_a_members_dashboard_waits_for_their_consultations_not_for_staff_steps(
    june, sign_in, world, workstation, member_user
):
    member = member_user.member
    registered = world.registered(workstation, members=[member])
    consulting = world.consulting(workstation, members=[member])
    replied = world.replied(workstation, members=[member])
    resolved = world.resolved(workstation, members=[member])
    world.registered(workstation)  # not theirs

    response = sign_in(member_user).get("/dashboard/")

    waiting = listed(response, start="waiting-heading", end="duty-heading")
    assert sorted(waiting) == sorted([registered.number, consulting.number])
    # A resolved case waits for a follow-up, a replied one to be resolved: staff's steps.
    assert resolved.number not in waiting and replied.number not in waiting
    text = section(response, "waiting-heading", "duty-heading")
    assert "record your consultations" in text
    assert "resolved cases to follow up" not in text
    assert 'href="/visits/new/"' not in section(response, "main", "open-heading")


def test_staff_still_wait_for_submissions_replies_and_follow_ups_not_consultations(
    june, client, world, workstation
):
    submitted = world.submitted(workstation)
    consulting = world.consulting(workstation)
    resolved = world.resolved(workstation)

    response = client.get("/dashboard/")

    waiting = listed(response, start="waiting-heading", end="duty-heading")
    assert sorted(waiting) == sorted([submitted.number, resolved.number])
    assert consulting.number not in waiting
    assert "resolved cases to follow up" in section(response, "waiting-heading", "duty-heading")


@pytest.mark.parametrize("actor", list(WAITING))
def test_every_step_the_dashboard_waits_for_is_one_its_user_may_take_from_that_status(actor):
    for status in waiting_statuses(actor):
        step = WAITING[actor][status]
        assert step in lifecycle.actions_for(actor)
        assert lifecycle.TRANSITIONS[step].get(status) is not None


def test_a_member_may_take_none_of_the_steps_the_desk_waits_for():
    member_steps = lifecycle.actions_for(lifecycle.Actor.MEMBER)

    assert not member_steps & set(WAITING[lifecycle.Actor.HANDLER].values())
    assert waiting_statuses(None) == []


def test_each_shift_names_all_its_members_in_the_order_they_were_put_on_duty(client, workstation):
    today = timezone.localdate()
    late = DutyShiftFactory(
        workstation=workstation, date=today, starts_at=time(14), ends_at=time(17)
    )
    early = DutyShiftFactory(
        workstation=workstation, date=today, starts_at=time(9), ends_at=time(12)
    )
    for name in ("王委员", "李委员", "赵委员"):
        DutyAssignmentFactory(
            shift=late, member=MemberFactory(name=name, home_workstation=workstation)
        )
    DutyAssignmentFactory(
        shift=early, member=MemberFactory(name="钱委员", home_workstation=workstation)
    )

    duty = section(client.get("/dashboard/"), "duty-heading")

    assert "王委员、李委员、赵委员" in duty
    assert duty.index("09:00–12:00") < duty.index("钱委员") < duty.index("14:00–17:00")
    assert duty.count(workstation.name) == 2
