"""Referral and reply: one lead department at a time and co-handling only beside it, no
department twice while it has the case, a due date neither past nor for a closed
department; what acknowledging, replying and returning record; the current lead."""

from datetime import UTC, date, datetime, timedelta

import pytest

from visits import lifecycle
from visits.models import (
    Case,
    CaseStatus,
    EventKind,
    Referral,
    ReferralRole,
    ReferralState,
)

from ...factories import DepartmentFactory
from ...stories import (
    NEW_DUE,
    assert_refused,
    expected_deadline,
    refer,
)

S = CaseStatus


# --- refusals: referrals ------------------------------------------------------


@pytest.mark.parametrize(
    "situation",
    ["referred", "acknowledged with co", "replied with co", "referred again after reopening"],
)
def test_a_second_lead_department_is_refused(story, situation):
    s = story(situation)

    assert_refused(
        lambda: refer(s),
        "already has a lead department",
    )


@pytest.mark.parametrize(
    ("situation", "whose", "role"),
    [
        ("referred", "lead", ReferralRole.CO),
        ("referred", "lead", ReferralRole.LEAD),
        ("referred with co", "co", ReferralRole.CO),
        ("acknowledged with co", "lead", ReferralRole.CO),
        ("replied with co", "co", ReferralRole.CO),
        ("replied with co", "co", ReferralRole.LEAD),
        ("reopened with co", "co", ReferralRole.LEAD),
        ("referred again after reopening", "lead", ReferralRole.CO),
    ],
)
def test_referring_to_a_department_that_has_the_case_already_is_refused(
    story, situation, whose, role
):
    # `whose` referral is still open: the department has the case and owes its answer.
    s = story(situation)
    assert getattr(s, whose).is_open
    department = getattr(s, whose).department

    assert_refused(
        lambda: refer(s, department, role=role),
        "already with",
    )


# A reopened case's lead has answered the last round: the new round needs its own lead.
@pytest.mark.parametrize("situation", ["registered", "consulting", "reopened with co"])
def test_co_handling_without_a_lead_department_is_refused(story, situation):
    s = story(situation)

    assert_refused(
        lambda: refer(s, role=ReferralRole.CO),
        "lead department first",
    )


def test_co_handling_is_refused_once_the_lead_department_returned_the_case(story):
    s = story("referred")
    lifecycle.referral_return(referral=s.lead, actor=s.actor, reason="不属本局职责", now=s.tick())
    s.reload()

    assert_refused(
        lambda: refer(s, role=ReferralRole.CO),
        "lead department first",
    )


def test_a_department_that_returned_the_case_can_be_given_it_again(story):
    s = story("referred")
    lifecycle.referral_return(referral=s.lead, actor=s.actor, reason="材料不全", now=s.tick())
    s.reload()

    again = refer(s, s.lead.department, due_on=NEW_DUE)

    assert again.pk != s.lead.pk
    assert again.state == ReferralState.SENT
    assert list(s.case.referrals.values_list("state", flat=True)) == [
        ReferralState.RETURNED,
        ReferralState.SENT,
    ]
    case = Case.objects.get(pk=s.case.pk)
    # The department owes its acknowledgement first, then its reply.
    assert case.next_due_on == again.acknowledge_due_on < NEW_DUE == again.due_on


def test_a_department_that_replied_as_lead_can_be_asked_again_as_co_handling(story):
    s = story("replied with co")
    department = s.lead.department

    again = refer(s, department, role=ReferralRole.CO, due_on=NEW_DUE)

    assert (again.department, again.role, again.state) == (
        department,
        ReferralRole.CO,
        ReferralState.SENT,
    )
    assert Referral.objects.get(pk=s.lead.pk).state == ReferralState.REPLIED
    case = Case.objects.get(pk=s.case.pk)
    assert case.status == S.REPLIED
    assert case.next_due_on == expected_deadline(case)
    assert again.due_on == NEW_DUE
    assert lifecycle.current_lead(case) == s.lead


@pytest.mark.parametrize(
    ("situation", "lead"),
    [
        ("registered", None),
        ("referred", "lead"),
        ("acknowledged with co", "lead"),
        ("replied with co", "lead"),
        ("resolved with co", None),
        ("reopened with co", None),
        ("referred again after reopening", "lead"),
        ("withdrawn while referred", None),
    ],
)
def test_the_current_lead_is_the_lead_of_the_round_the_case_is_in(story, situation, lead):
    s = story(situation)

    assert lifecycle.current_lead(s.case) == (getattr(s, lead) if lead else None)


def test_a_lead_department_that_returned_the_case_is_no_current_lead(story):
    s = story("referred")
    lifecycle.referral_return(referral=s.lead, actor=s.actor, reason="不属本局职责", now=s.tick())
    s.reload()

    assert lifecycle.current_lead(s.case) is None


def test_referring_to_a_department_that_no_longer_takes_referrals_is_refused(story):
    s = story("registered")
    closed_down = DepartmentFactory(is_active=False)

    assert_refused(
        lambda: refer(s, closed_down),
        "no longer takes referrals",
    )


def test_a_reply_due_in_the_past_is_refused(story):
    s = story("registered")
    now = s.tick()

    assert_refused(
        lambda: refer(s, due_on=now.date() - timedelta(days=1), now=now),
        "cannot be in the past",
    )


def test_the_past_is_judged_by_the_date_in_xian(story):
    s = story("registered")
    # 16:30 UTC on 9 March is 00:30 on 10 March in Xi'an: 9 March is already past.
    now = datetime(2026, 3, 9, 16, 30, tzinfo=UTC)

    assert_refused(
        lambda: refer(s, due_on=date(2026, 3, 9), now=now),
        "cannot be in the past",
    )


def test_a_reply_may_be_due_the_same_day(story):
    s = story("registered")
    now = s.tick()

    referral = refer(s, due_on=now.date(), now=now)

    assert referral.due_on == now.date()
    assert Case.objects.get(pk=s.case.pk).next_due_on == now.date()


def test_a_referral_records_who_sent_it_where_when_and_by_when_the_reply_is_due(story, actor):
    s = story("consulting")
    department = DepartmentFactory(name="区住建局")
    now = s.tick()

    referral = lifecycle.case_refer(
        case=s.case,
        actor=actor,
        department=department,
        due_on=NEW_DUE,
        note="请督促物业整改",
        now=now,
    )

    referral = Referral.objects.get(pk=referral.pk)
    assert (referral.case_id, referral.department, referral.role) == (
        s.case.pk,
        department,
        ReferralRole.LEAD,
    )
    assert (referral.state, referral.due_on, referral.sent_at, referral.sent_by) == (
        ReferralState.SENT,
        NEW_DUE,
        now,
        actor,
    )
    event = s.case.events.last()
    assert (event.kind, event.referral, event.note) == (
        EventKind.REFERRED,
        referral,
        "请督促物业整改",
    )


def test_acknowledging_a_referral_records_when(story):
    s = story("referred")
    now = s.tick()

    lifecycle.referral_acknowledge(referral=s.lead, actor=s.actor, now=now)

    lead = Referral.objects.get(pk=s.lead.pk)
    assert (lead.state, lead.acknowledged_at) == (ReferralState.ACKNOWLEDGED, now)


def test_a_referral_can_only_be_acknowledged_once(story):
    s = story("referred")
    lifecycle.referral_acknowledge(referral=s.lead, actor=s.actor, now=s.tick())
    s.reload()

    assert_refused(
        lambda: lifecycle.referral_acknowledge(referral=s.lead, actor=s.actor, now=s.tick()),
        "Only a referral that was sent",
    )


def test_a_reply_records_the_text_and_when(story):
    s = story("referred")
    now = s.tick()

    lifecycle.referral_reply(referral=s.lead, actor=s.actor, reply="已责令整改", now=now)

    lead = Referral.objects.get(pk=s.lead.pk)
    assert (lead.state, lead.reply, lead.replied_at) == (ReferralState.REPLIED, "已责令整改", now)


def test_a_return_records_the_reason_and_when(story):
    s = story("referred")
    now = s.tick()

    lifecycle.referral_return(referral=s.lead, actor=s.actor, reason="不属本局职责", now=now)

    lead = Referral.objects.get(pk=s.lead.pk)
    assert (lead.state, lead.return_reason, lead.returned_at) == (
        ReferralState.RETURNED,
        "不属本局职责",
        now,
    )


@pytest.mark.parametrize(
    ("first", "then"),
    [("reply", "reply"), ("reply", "return"), ("return", "reply"), ("return", "return")],
)
def test_a_referral_that_was_answered_or_returned_takes_no_further_reply_or_return(
    story, first, then
):
    s = story("referred with co")
    steps = {
        "reply": lambda: lifecycle.referral_reply(
            referral=s.co, actor=s.actor, reply="已处理", now=s.tick()
        ),
        "return": lambda: lifecycle.referral_return(
            referral=s.co, actor=s.actor, reason="不属本局职责", now=s.tick()
        ),
    }
    steps[first]()
    s.reload()

    assert_refused(steps[then], "is already")
