"""Resolution, follow-up and redoing (重办): a follow-up needs a known satisfaction, a
satisfied one closes the case, an unsatisfied one reopens it to be resolved again or
referred to a lead department again."""

import pytest

from visits import lifecycle
from visits.models import Case, CaseStatus, EventKind, ReferralRole, ReferralState, Satisfaction

from ...stories import (
    NEW_DUE,
    assert_refused,
    expected_deadline,
    expected_step_due,
    lead_replies,
    play,
    refer,
    resolve,
    satisfied,
    unsatisfied,
)

S = CaseStatus


# --- refusals: follow-up and merging -----------------------------------------


@pytest.mark.parametrize("satisfaction", ["", "delighted"])
def test_a_follow_up_without_a_known_satisfaction_is_refused(story, satisfaction):
    s = story("resolved")

    assert_refused(
        lambda: lifecycle.case_follow_up(
            case=s.case, actor=s.actor, satisfaction=satisfaction, now=s.tick()
        ),
        "Choose how satisfied",
    )


def test_a_satisfied_follow_up_closes_the_case(story, actor):
    s = story("resolved")
    now = s.tick()

    lifecycle.case_follow_up(
        case=s.case, actor=actor, satisfaction=Satisfaction.SATISFIED, note="电话回访", now=now
    )

    case = Case.objects.get(pk=s.case.pk)
    assert (case.status, case.satisfaction, case.closed_at) == (
        S.CLOSED,
        Satisfaction.SATISFIED,
        now,
    )
    assert case.next_due_on is None
    event = case.events.last()
    assert (event.kind, event.from_status, event.to_status, event.note) == (
        EventKind.CLOSED,
        S.RESOLVED,
        S.CLOSED,
        "电话回访",
    )


def test_an_unsatisfied_follow_up_reopens_the_case_to_be_handled_again(story, actor):
    s = story("resolved")
    now = s.tick()

    lifecycle.case_follow_up(
        case=s.case,
        actor=actor,
        satisfaction=Satisfaction.UNSATISFIED,
        note="居民反映仍有噪音",
        now=now,
    )

    case = Case.objects.get(pk=s.case.pk)
    assert (case.status, case.satisfaction) == (S.CONSULTING, Satisfaction.UNSATISFIED)
    assert case.resolved_at is None
    assert case.closed_at is None
    # 重办: the case is under consultation again, on a new clock from the follow-up.
    assert case.next_due_on == case.step_due_on == expected_step_due(case) is not None
    event = case.events.last()
    assert (event.kind, event.from_status, event.to_status, event.note, event.at) == (
        EventKind.REOPENED,
        S.RESOLVED,
        S.CONSULTING,
        "居民反映仍有噪音",
        now,
    )


def test_a_reopened_case_can_be_resolved_again_and_closed(story):
    s = story("resolved")
    play(s, unsatisfied)

    play(s, resolve, satisfied)

    case = Case.objects.get(pk=s.case.pk)
    assert (case.status, case.satisfaction) == (S.CLOSED, Satisfaction.SATISFIED)
    assert list(case.events.values_list("kind", flat=True)) == [
        EventKind.REGISTERED,
        EventKind.RESOLVED,
        EventKind.REOPENED,
        EventKind.RESOLVED,
        EventKind.CLOSED,
    ]


def test_a_reopened_case_can_be_referred_to_a_lead_department_again(story):
    # 重办: the lead that answered the first round takes the case again, and the new
    # round runs through reply, resolution and follow-up like the first.
    s = story("reopened with co")
    first_lead = s.lead

    s.lead = refer(s, first_lead.department, due_on=NEW_DUE)
    s.reload()
    assert s.case.status == S.REFERRED
    assert s.case.next_due_on == expected_deadline(s.case)
    assert s.lead.due_on == NEW_DUE
    assert lifecycle.current_lead(s.case) == s.lead
    play(s, lead_replies, resolve, satisfied)

    assert (s.case.status, s.case.satisfaction) == (S.CLOSED, Satisfaction.SATISFIED)
    assert s.case.next_due_on is None
    assert list(s.case.referrals.values_list("department", "role", "state")) == [
        (first_lead.department_id, ReferralRole.LEAD, ReferralState.REPLIED),
        (s.co.department_id, ReferralRole.CO, ReferralState.CANCELLED),
        (first_lead.department_id, ReferralRole.LEAD, ReferralState.REPLIED),
    ]
    assert list(s.case.events.values_list("kind", flat=True)) == [
        EventKind.REGISTERED,
        EventKind.REFERRED,
        EventKind.REFERRED,
        EventKind.REPLIED,
        EventKind.RESOLVED,
        EventKind.REOPENED,
        EventKind.REFERRED,
        EventKind.REPLIED,
        EventKind.RESOLVED,
        EventKind.CLOSED,
    ]
