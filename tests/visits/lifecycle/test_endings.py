"""How a case ends without being closed: merged into the case it duplicates, rejected or
withdrawn; ending a case cancels what it still asks of departments, and nothing else."""

from datetime import date

import pytest

from visits import lifecycle
from visits.lifecycle import Action
from visits.models import Case, CaseStatus, Referral, ReferralState

from ...factories import open_case
from ...stories import (
    LEAD_DUE,
    OPEN_STATES,
    TERMINAL_STATUSES,
    assert_refused,
    expected_deadline,
    prepare,
    take,
    withdraw,
)

S = CaseStatus


def test_merging_records_the_case_it_duplicates_and_leaves_that_case_alone(story, actor):
    s = story("consulting")
    target = open_case(workstation=s.workstation, actor=actor, now=s.tick())
    target_before = Case.objects.filter(pk=target.pk).values().get()

    lifecycle.case_merge(case=s.case, actor=actor, into=target, now=s.tick())

    case = Case.objects.get(pk=s.case.pk)
    assert (case.status, case.merged_into) == (S.MERGED, target)
    assert case.events.last().note == f"Duplicate of {target.number}"
    assert Case.objects.filter(pk=target.pk).values().get() == target_before
    assert target.events.count() == 1


def test_a_case_cannot_be_merged_into_itself(story):
    s = story("registered")
    same = Case.objects.get(pk=s.case.pk)

    assert_refused(
        lambda: lifecycle.case_merge(case=s.case, actor=s.actor, into=same, now=s.tick()),
        "cannot be merged into itself",
    )


@pytest.mark.parametrize("situation", ["closed", "rejected", "merged", "withdrawn"])
def test_a_case_cannot_be_merged_into_a_case_that_is_over(story, situation):
    over = story(situation).case
    s = story("registered")

    error = assert_refused(
        lambda: lifecycle.case_merge(case=s.case, actor=s.actor, into=over, now=s.tick()),
        "merge into an open case",
    )
    assert over.number in str(error)


# --- ending a case cancels what it still asks of departments -----------------

# (situation, the step that ends the case): each situation has open referrals, some
# also one that answered.
ENDINGS = [
    ("referred with co", Action.WITHDRAW),
    ("acknowledged with co", Action.WITHDRAW),
    ("replied with co", Action.WITHDRAW),
    ("reopened with co", Action.MERGE),
    ("reopened with co", Action.REJECT),
    ("resolved with co", Action.CLOSE),
]
FAR_FUTURE = date(2099, 1, 1)


@pytest.mark.parametrize(
    ("situation", "action"), ENDINGS, ids=[f"{a}-from-{sit}" for sit, a in ENDINGS]
)
def test_ending_a_case_cancels_its_open_referrals_and_leaves_the_answered_ones(
    story, situation, action
):
    s = story(situation)
    prepare(action, s)
    before = {r["id"]: r for r in Referral.objects.filter(case=s.case).values()}
    assert any(r["state"] in OPEN_STATES for r in before.values())
    events_before = s.case.events.count()

    take(action, s)

    case = Case.objects.get(pk=s.case.pk)
    assert case.status in TERMINAL_STATUSES
    assert case.events.count() == events_before + 1
    for after in Referral.objects.filter(case=case).values():
        was = before[after["id"]]
        if was["state"] in OPEN_STATES:
            was = was | {"state": ReferralState.CANCELLED, "cancelled_at": s.now}
        assert after == was
    assert case.next_due_on is None
    assert not case.is_overdue(today=FAR_FUTURE)
    assert not any(r.is_overdue(today=FAR_FUTURE) for r in case.referrals.all())


def test_a_case_ending_without_open_referrals_cancels_nothing(story):
    s = story("replied with co")
    lifecycle.referral_reply(referral=s.co, actor=s.actor, reply="已配合", now=s.tick())
    s.reload()
    before = list(Referral.objects.filter(case=s.case).values())

    withdraw(s)

    assert list(Referral.objects.filter(case=s.case).values()) == before
    assert not Referral.objects.filter(state=ReferralState.CANCELLED).exists()


def test_ending_one_case_leaves_the_referrals_of_another_open(story):
    other = story("referred with co")
    s = story("referred with co")

    withdraw(s)

    assert set(other.case.referrals.values_list("state", flat=True)) == {ReferralState.SENT}
    other_case = Case.objects.get(pk=other.case.pk)
    assert other_case.next_due_on == expected_deadline(other_case)
    assert other_case.referrals.filter(due_on=LEAD_DUE, state=ReferralState.SENT).exists()


def test_a_refused_ending_leaves_the_open_referrals_open(story):
    over = story("closed").case
    s = story("reopened with co")

    assert_refused(
        lambda: lifecycle.case_merge(case=s.case, actor=s.actor, into=over, now=s.tick()),
        "merge into an open case",
    )
    assert Referral.objects.get(pk=s.co.pk).is_open
