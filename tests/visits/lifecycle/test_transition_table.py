"""The transition table, whole: every step from every status it allows the step in moves
the case and writes one event of the step's kind; every other pair of step and status is
refused and changes nothing (or cannot be reached at all); the actions offered are the
table's, and the closed loop keeps its steps in order."""

import pytest

from visits import lifecycle
from visits.lifecycle import TRANSITIONS, Action
from visits.models import Case, CaseStatus, EventKind, ReferralState

from ...stories import (
    PLAIN,
    SITUATIONS,
    TEXT,
    assert_refused,
    consult,
    expected_deadline,
    lead_acknowledges,
    lead_replies,
    play,
    prepare,
    refer_lead,
    resolve,
    satisfied,
    take,
)

S = CaseStatus
CREATING = {Action.SUBMIT, Action.REGISTER, Action.ANSWER}
REFERRAL_ACTIONS = {Action.ACKNOWLEDGE, Action.REPLY, Action.CO_REPLY, Action.RETURN}


# --- every step from every status the table allows it in --------------------

# (action, situation, referral it works on, status before, status after, event kind)
MOVES = [
    (Action.ACCEPT, "submitted", None, S.SUBMITTED, S.REGISTERED, EventKind.ACCEPTED),
    (Action.CONSULT, "registered", None, S.REGISTERED, S.CONSULTING, EventKind.CONSULTED),
    (Action.CONSULT, "consulting", None, S.CONSULTING, S.CONSULTING, EventKind.CONSULTED),
    (Action.CONSULT, "referred", None, S.REFERRED, S.REFERRED, EventKind.CONSULTED),
    (Action.CONSULT, "replied with co", None, S.REPLIED, S.REPLIED, EventKind.CONSULTED),
    (Action.REFER, "registered", "lead", S.REGISTERED, S.REFERRED, EventKind.REFERRED),
    (Action.REFER, "consulting", "lead", S.CONSULTING, S.REFERRED, EventKind.REFERRED),
    (Action.REFER, "referred", "co", S.REFERRED, S.REFERRED, EventKind.REFERRED),
    (Action.REFER, "replied with co", "co", S.REPLIED, S.REPLIED, EventKind.REFERRED),
    (Action.ACKNOWLEDGE, "referred", "lead", S.REFERRED, S.REFERRED, EventKind.ACKNOWLEDGED),
    (Action.ACKNOWLEDGE, "replied with co", "co", S.REPLIED, S.REPLIED, EventKind.ACKNOWLEDGED),
    (Action.ACKNOWLEDGE, "resolved with co", "co", S.RESOLVED, S.RESOLVED, EventKind.ACKNOWLEDGED),
    (Action.REPLY, "referred", "lead", S.REFERRED, S.REPLIED, EventKind.REPLIED),
    (Action.CO_REPLY, "referred with co", "co", S.REFERRED, S.REFERRED, EventKind.REPLIED),
    (Action.CO_REPLY, "replied with co", "co", S.REPLIED, S.REPLIED, EventKind.REPLIED),
    (Action.CO_REPLY, "resolved with co", "co", S.RESOLVED, S.RESOLVED, EventKind.REPLIED),
    (Action.RETURN, "referred", "lead", S.REFERRED, S.REFERRED, EventKind.RETURNED),
    (Action.RETURN, "replied with co", "co", S.REPLIED, S.REPLIED, EventKind.RETURNED),
    (Action.RETURN, "resolved with co", "co", S.RESOLVED, S.RESOLVED, EventKind.RETURNED),
    (Action.RESOLVE, "registered", None, S.REGISTERED, S.RESOLVED, EventKind.RESOLVED),
    (Action.RESOLVE, "consulting", None, S.CONSULTING, S.RESOLVED, EventKind.RESOLVED),
    (Action.RESOLVE, "replied with co", None, S.REPLIED, S.RESOLVED, EventKind.RESOLVED),
    (Action.CLOSE, "resolved", None, S.RESOLVED, S.CLOSED, EventKind.CLOSED),
    (Action.REOPEN, "resolved", None, S.RESOLVED, S.CONSULTING, EventKind.REOPENED),
    (Action.MERGE, "submitted", None, S.SUBMITTED, S.MERGED, EventKind.MERGED),
    (Action.MERGE, "registered", None, S.REGISTERED, S.MERGED, EventKind.MERGED),
    (Action.MERGE, "consulting", None, S.CONSULTING, S.MERGED, EventKind.MERGED),
    (Action.REJECT, "submitted", None, S.SUBMITTED, S.REJECTED, EventKind.REJECTED),
    (Action.REJECT, "registered", None, S.REGISTERED, S.REJECTED, EventKind.REJECTED),
    (Action.REJECT, "consulting", None, S.CONSULTING, S.REJECTED, EventKind.REJECTED),
    (Action.WITHDRAW, "submitted", None, S.SUBMITTED, S.WITHDRAWN, EventKind.WITHDRAWN),
    (Action.WITHDRAW, "registered", None, S.REGISTERED, S.WITHDRAWN, EventKind.WITHDRAWN),
    (Action.WITHDRAW, "consulting", None, S.CONSULTING, S.WITHDRAWN, EventKind.WITHDRAWN),
    (Action.WITHDRAW, "referred", None, S.REFERRED, S.WITHDRAWN, EventKind.WITHDRAWN),
    (Action.WITHDRAW, "replied with co", None, S.REPLIED, S.WITHDRAWN, EventKind.WITHDRAWN),
] + [
    (Action.NOTE, situation, None, status, status, EventKind.NOTE)
    for status, situation in PLAIN.items()
]
ALLOWED = {(action, before) for action, _s, _on, before, _a, _k in MOVES}


def test_the_moves_tested_here_are_exactly_the_transition_table():
    tested = {(action, before): after for action, _s, _on, before, after, _k in MOVES}
    table = {
        (action, before): after
        for action, moves in TRANSITIONS.items()
        if action not in CREATING
        for before, after in moves.items()
    }
    assert tested == table


def test_each_action_writes_the_event_kind_tested_here():
    kinds = {action: kind for action, _s, _on, _b, _a, kind in MOVES}
    kinds |= {
        Action.SUBMIT: EventKind.SUBMITTED,
        Action.REGISTER: EventKind.REGISTERED,
        Action.ANSWER: EventKind.ANSWERED,
    }
    assert kinds == lifecycle.EVENT_KIND


@pytest.mark.parametrize(
    ("action", "situation", "on", "before", "after", "kind"),
    MOVES,
    ids=[f"{m[0]}-from-{m[1]}" for m in MOVES],
)
def test_an_allowed_step_moves_the_case_and_writes_one_event(
    story, actor, action, situation, on, before, after, kind
):
    s = story(situation)
    assert s.case.status == before
    prepare(action, s)
    events_before = set(s.case.events.values_list("pk", flat=True))

    referral = take(action, s, on)

    case = Case.objects.get(pk=s.case.pk)
    assert case.status == after
    new_events = list(case.events.exclude(pk__in=events_before))
    assert len(new_events) == 1
    event = new_events[0]
    assert (event.kind, event.from_status, event.to_status) == (kind, before, after)
    assert event.actor == actor
    assert event.at == s.now
    assert event.note == ("" if action == Action.ACKNOWLEDGE else TEXT)
    assert event.referral == referral
    if action in REFERRAL_ACTIONS | {Action.REFER}:
        assert referral is not None and referral.case_id == case.pk
    assert case.next_due_on == expected_deadline(case)


# --- every step refused from every other status ------------------------------

# Pairs no story can attempt: the action needs a referral of that kind, and no case in
# that status can have one (open, or cancelled when the case ended).
UNREACHABLE = {(a, st) for a in REFERRAL_ACTIONS for st in (S.SUBMITTED, S.REGISTERED)} | {
    (Action.REPLY, st)
    for st in (S.CONSULTING, S.REPLIED, S.RESOLVED, S.CLOSED, S.MERGED, S.REJECTED)
}
CASE_ACTIONS = [
    Action.ACCEPT,
    Action.CONSULT,
    Action.REFER,
    Action.RESOLVE,
    Action.CLOSE,
    Action.REOPEN,
    Action.MERGE,
    Action.REJECT,
    Action.WITHDRAW,
]
# (action, situation, referral it works on): the referral is open, so the status is
# the only thing that can refuse the step.
WRONG_STATUS = [
    (action, PLAIN[status], None)
    for action in CASE_ACTIONS
    for status in S.values
    if (action, status) not in ALLOWED
] + [
    (Action.ACKNOWLEDGE, "reopened with co", "co"),
    (Action.CO_REPLY, "reopened with co", "co"),
    (Action.RETURN, "reopened with co", "co"),
]
# (action, situation, referral it works on): the case is over, so its referrals were
# cancelled with it, and the referral refuses the step before the status can.
ON_CANCELLED = [
    (action, situation, "co")
    for action in (Action.ACKNOWLEDGE, Action.CO_REPLY, Action.RETURN)
    for situation in ("closed with co", "merged after reopening", "rejected after reopening")
] + [
    (Action.ACKNOWLEDGE, "withdrawn while referred", "lead"),
    (Action.REPLY, "withdrawn while referred", "lead"),
    (Action.CO_REPLY, "withdrawn while referred", "co"),
    (Action.RETURN, "withdrawn while referred", "lead"),
]


def test_every_refused_pair_of_action_and_status_is_tested_or_unreachable():
    everything = {(a, st) for a in Action.values if a not in CREATING for st in S.values}
    by_status = {(action, SITUATIONS[situation][1]) for action, situation, _on in WRONG_STATUS}
    on_cancelled = {(action, SITUATIONS[situation][1]) for action, situation, _on in ON_CANCELLED}
    tested = by_status | on_cancelled
    assert not by_status & on_cancelled
    assert not tested & ALLOWED
    assert not tested & UNREACHABLE
    assert tested | UNREACHABLE == everything - ALLOWED


@pytest.mark.parametrize(
    ("action", "situation", "on"),
    WRONG_STATUS,
    ids=[f"{a}-from-{sit}" for a, sit, _on in WRONG_STATUS],
)
def test_a_step_from_a_status_it_is_not_allowed_in_is_refused_and_changes_nothing(
    story, action, situation, on
):
    s = story(situation)
    prepare(action, s)
    if on:
        assert getattr(s, on).is_open

    error = assert_refused(lambda: take(action, s, on), "is not possible while the case is")

    assert s.case.get_status_display() in str(error)


@pytest.mark.parametrize(
    ("action", "situation", "on"),
    ON_CANCELLED,
    ids=[f"{a}-from-{sit}" for a, sit, _on in ON_CANCELLED],
)
def test_a_step_on_a_referral_cancelled_with_its_case_is_refused_and_changes_nothing(
    story, action, situation, on
):
    s = story(situation)
    assert getattr(s, on).state == ReferralState.CANCELLED
    message = (
        "Only a referral that was sent"
        if action == Action.ACKNOWLEDGE
        else "is already “Cancelled”"
    )

    assert_refused(lambda: take(action, s, on), message)


# --- the whole loop, paths and the table's helpers ----------------------------


def test_the_closed_loop_keeps_every_step_in_order(story):
    s = story("registered")
    play(s, consult, refer_lead, lead_acknowledges, lead_replies, resolve, satisfied)

    events = list(s.case.events.all())
    assert [e.kind for e in events] == [
        EventKind.REGISTERED,
        EventKind.CONSULTED,
        EventKind.REFERRED,
        EventKind.ACKNOWLEDGED,
        EventKind.REPLIED,
        EventKind.RESOLVED,
        EventKind.CLOSED,
    ]
    assert [e.from_status for e in events[1:]] == [e.to_status for e in events[:-1]]
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert all(e.actor == s.actor for e in events)
    assert s.case.status == S.CLOSED


@pytest.mark.parametrize(
    ("situation", "actions"),
    [
        ("submitted", {"accept", "merge", "reject", "withdraw", "note"}),
        ("registered", {"consult", "refer", "resolve", "merge", "reject", "withdraw", "note"}),
        ("resolved", {"acknowledge", "co_reply", "return", "close", "reopen", "note"}),
        ("closed", {"note"}),
    ],
)
def test_the_actions_offered_are_those_the_table_allows_from_the_status(story, situation, actions):
    case = story(situation).case

    assert set(lifecycle.allowed_actions(case)) == actions
    for action in Action.values:
        if action not in CREATING:
            assert lifecycle.can(case, action) == (action in actions)
