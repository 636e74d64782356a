"""The case lifecycle (`visits.lifecycle`).

Every step from every status the table allows it in, every refusal (with proof that
nothing changed), deadlines counted in working days, tracking numbers and paths.
Cases reach a state only through the lifecycle functions: a "story" below is a
script of such calls.
"""

import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from visits import lifecycle
from visits.lifecycle import NEW, TRANSITIONS, Action, CaseError
from visits.models import (
    Case,
    CaseEvent,
    CaseNumberSequence,
    CaseStatus,
    EventKind,
    Referral,
    ReferralRole,
    ReferralState,
    Satisfaction,
)
from workdays.calendar import add_working_days
from workdays.loading import load_year

from ..factories import DepartmentFactory, UserFactory, VisitFactory, open_case

S = CaseStatus
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


START = at(3, 2, 9)  # Monday 2 March 2026, an ordinary working week
LEAD_DUE = date(2026, 3, 20)
CO_DUE = date(2026, 3, 27)
NEW_DUE = date(2026, 3, 25)
TEXT = "第二次协商：物业承诺一周内整改"
OPEN_STATES = (ReferralState.SENT, ReferralState.ACKNOWLEDGED)
TERMINAL_STATUSES = {S.CLOSED, S.REJECTED, S.MERGED, S.WITHDRAWN}
CREATING = {Action.SUBMIT, Action.REGISTER, Action.ANSWER}
REFERRAL_ACTIONS = {Action.ACKNOWLEDGE, Action.REPLY, Action.CO_REPLY, Action.RETURN}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def calendar_2026(db):
    return load_year(2026)


@pytest.fixture(autouse=True)
def deadlines(settings):
    """Pin the deadlines the dates below are counted with, whatever the environment says."""
    settings.FOLLOW_UP_WORKING_DAYS = 5
    settings.REFERRAL_REPLY_WORKING_DAYS = 15


@pytest.fixture
def actor(staff):
    return staff


# --- stories: cases brought to a state through the lifecycle -----------------


@dataclass
class Story:
    actor: object
    workstation: object
    now: datetime = START
    case: Case | None = None
    lead: Referral | None = None
    co: Referral | None = None
    # Prepared before an attempt so that a refusal can be checked against an unchanged world.
    department: object = None
    target: Case | None = None

    def tick(self) -> datetime:
        self.now += timedelta(hours=1)
        return self.now

    def reload(self) -> None:
        """Read everything afresh, as a view handling the next request would."""
        self.case = Case.objects.get(pk=self.case.pk)
        if self.lead:
            self.lead = Referral.objects.get(pk=self.lead.pk)
        if self.co:
            self.co = Referral.objects.get(pk=self.co.pk)


def _submit(s: Story) -> None:
    s.case = open_case(workstation=s.workstation, action=Action.SUBMIT, now=s.tick())


def _register(s: Story) -> None:
    s.case = open_case(workstation=s.workstation, actor=s.actor, now=s.tick())


def _consult(s: Story) -> None:
    lifecycle.case_consult(case=s.case, actor=s.actor, note="约物业和居民代表微协商", now=s.tick())


def _refer_lead(s: Story) -> None:
    s.lead = lifecycle.case_refer(
        case=s.case, actor=s.actor, department=DepartmentFactory(), due_on=LEAD_DUE, now=s.tick()
    )


def _refer_co(s: Story) -> None:
    s.co = lifecycle.case_refer(
        case=s.case,
        actor=s.actor,
        department=DepartmentFactory(),
        role=ReferralRole.CO,
        due_on=CO_DUE,
        now=s.tick(),
    )


def _lead_acknowledges(s: Story) -> None:
    lifecycle.referral_acknowledge(referral=s.lead, actor=s.actor, now=s.tick())


def _lead_replies(s: Story) -> None:
    lifecycle.referral_reply(referral=s.lead, actor=s.actor, reply="已督促物业整改", now=s.tick())


def _resolve(s: Story) -> None:
    lifecycle.case_resolve(case=s.case, actor=s.actor, note="物业已整改", now=s.tick())


def _satisfied(s: Story) -> None:
    lifecycle.case_follow_up(
        case=s.case, actor=s.actor, satisfaction=Satisfaction.SATISFIED, now=s.tick()
    )


def _unsatisfied(s: Story) -> None:
    lifecycle.case_follow_up(
        case=s.case,
        actor=s.actor,
        satisfaction=Satisfaction.UNSATISFIED,
        note="居民反映问题仍未解决",
        now=s.tick(),
    )


def _reject(s: Story) -> None:
    lifecycle.case_reject(case=s.case, actor=s.actor, reason="不属于受理范围", now=s.tick())


def _merge(s: Story) -> None:
    into = open_case(workstation=s.workstation, actor=s.actor, now=s.tick())
    lifecycle.case_merge(case=s.case, actor=s.actor, into=into, now=s.tick())


def _withdraw(s: Story) -> None:
    lifecycle.case_withdraw(case=s.case, actor=s.actor, note="居民撤回", now=s.tick())


_REPLIED_WITH_CO = (_register, _refer_lead, _refer_co, _lead_replies)
_RESOLVED_WITH_CO = (*_REPLIED_WITH_CO, _resolve)
_REOPENED_WITH_CO = (*_RESOLVED_WITH_CO, _unsatisfied)

# situation -> (the steps that reach it, the status they reach)
SITUATIONS = {
    "submitted": ((_submit,), S.SUBMITTED),
    "registered": ((_register,), S.REGISTERED),
    "consulting": ((_register, _consult), S.CONSULTING),
    "referred": ((_register, _refer_lead), S.REFERRED),
    "referred with co": ((_register, _refer_lead, _refer_co), S.REFERRED),
    "acknowledged with co": ((_register, _refer_lead, _refer_co, _lead_acknowledges), S.REFERRED),
    "replied with co": (_REPLIED_WITH_CO, S.REPLIED),
    "resolved": ((_register, _resolve), S.RESOLVED),
    "resolved with co": (_RESOLVED_WITH_CO, S.RESOLVED),
    "closed": ((_register, _resolve, _satisfied), S.CLOSED),
    "closed with co": ((*_RESOLVED_WITH_CO, _satisfied), S.CLOSED),
    "reopened with co": (_REOPENED_WITH_CO, S.CONSULTING),
    # A second round (重办): the reopened case goes to a new lead department.
    "referred again after reopening": ((*_REOPENED_WITH_CO, _refer_lead), S.REFERRED),
    "rejected": ((_register, _reject), S.REJECTED),
    "rejected after reopening": ((*_REOPENED_WITH_CO, _reject), S.REJECTED),
    "merged": ((_register, _merge), S.MERGED),
    "merged after reopening": ((*_REOPENED_WITH_CO, _merge), S.MERGED),
    "withdrawn": ((_register, _withdraw), S.WITHDRAWN),
    "withdrawn while referred": (
        (_register, _refer_lead, _refer_co, _withdraw),
        S.WITHDRAWN,
    ),
}
# The plainest situation of each status.
PLAIN = {
    S.SUBMITTED: "submitted",
    S.REGISTERED: "registered",
    S.CONSULTING: "consulting",
    S.REFERRED: "referred",
    S.REPLIED: "replied with co",
    S.RESOLVED: "resolved",
    S.CLOSED: "closed",
    S.REJECTED: "rejected",
    S.MERGED: "merged",
    S.WITHDRAWN: "withdrawn",
}


def tell(situation: str, actor, workstation) -> Story:
    steps, status = SITUATIONS[situation]
    story = Story(actor=actor, workstation=workstation)
    for step in steps:
        step(story)
        story.reload()
    assert story.case.status == status, f"the story {situation!r} did not reach {status}"
    return story


@pytest.fixture
def story(actor, workstation):
    return lambda situation: tell(situation, actor, workstation)


def prepare(action: str, s: Story) -> None:
    """Create what an attempt needs beforehand, so the attempt itself is all that can change."""
    if action == Action.REFER:
        s.department = DepartmentFactory()
    if action == Action.MERGE:
        s.target = open_case(workstation=s.workstation, actor=s.actor, now=s.tick())
        s.reload()


def act(action: str, s: Story, on: str | None = None) -> Referral | None:
    """Take `action` through the lifecycle; return the referral its event should name.

    `on` names the story's referral the action works on ("lead" or "co"); for REFER it
    is the role of the new referral.
    """
    case, actor, now = s.case, s.actor, s.tick()
    referral = getattr(s, on) if on and action != Action.REFER else None
    match action:
        case Action.ACCEPT:
            lifecycle.case_accept(case=case, actor=actor, note=TEXT, now=now)
        case Action.CONSULT:
            lifecycle.case_consult(case=case, actor=actor, note=TEXT, now=now)
        case Action.REFER:
            role = ReferralRole.CO if on == "co" else ReferralRole.LEAD
            return lifecycle.case_refer(
                case=case,
                actor=actor,
                department=s.department,
                role=role,
                due_on=NEW_DUE,
                note=TEXT,
                now=now,
            )
        case Action.ACKNOWLEDGE:
            lifecycle.referral_acknowledge(referral=referral, actor=actor, now=now)
        case Action.REPLY | Action.CO_REPLY:
            lifecycle.referral_reply(referral=referral, actor=actor, reply=TEXT, now=now)
        case Action.RETURN:
            lifecycle.referral_return(referral=referral, actor=actor, reason=TEXT, now=now)
        case Action.RESOLVE:
            lifecycle.case_resolve(case=case, actor=actor, note=TEXT, now=now)
        case Action.CLOSE:
            lifecycle.case_follow_up(
                case=case, actor=actor, satisfaction=Satisfaction.BASICALLY, note=TEXT, now=now
            )
        case Action.REOPEN:
            lifecycle.case_follow_up(
                case=case, actor=actor, satisfaction=Satisfaction.UNSATISFIED, note=TEXT, now=now
            )
        case Action.MERGE:
            lifecycle.case_merge(case=case, actor=actor, into=s.target, note=TEXT, now=now)
        case Action.REJECT:
            lifecycle.case_reject(case=case, actor=actor, reason=TEXT, now=now)
        case Action.WITHDRAW:
            lifecycle.case_withdraw(case=case, actor=actor, note=TEXT, now=now)
        case Action.NOTE:
            lifecycle.case_note(case=case, actor=actor, note=TEXT, now=now)
        case _:
            raise AssertionError(f"no way to take {action}")
    return referral


def world() -> dict[str, list]:
    """Every row the lifecycle writes, to compare before and after a refusal."""
    return {
        "cases": list(Case.objects.order_by("pk").values()),
        "events": list(CaseEvent.objects.order_by("pk").values()),
        "referrals": list(Referral.objects.order_by("pk").values()),
        "numbers": list(CaseNumberSequence.objects.order_by("year").values()),
    }


def assert_refused(attempt, match: str) -> CaseError:
    before = world()
    with pytest.raises(CaseError, match=match) as refusal:
        attempt()
    assert world() == before
    return refusal.value


def expected_deadline(case: Case) -> date | None:
    """The next deadline worked out from the rows, independently of the lifecycle's code."""
    if case.status in TERMINAL_STATUSES:
        return None
    dues = [r.due_on for r in case.referrals.all() if r.state in OPEN_STATES]
    if case.status == S.RESOLVED:
        dues.append(
            add_working_days(timezone.localdate(case.resolved_at), settings.FOLLOW_UP_WORKING_DAYS)
        )
    return min(dues, default=None)


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

    referral = act(action, s, on)

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

    error = assert_refused(lambda: act(action, s, on), "is not possible while the case is")

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

    assert_refused(lambda: act(action, s, on), message)


# --- opening a case -----------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "status", "kind"),
    [
        (Action.REGISTER, S.REGISTERED, EventKind.REGISTERED),
        (Action.SUBMIT, S.SUBMITTED, EventKind.SUBMITTED),
    ],
)
def test_opening_a_case_saves_it_with_a_number_and_its_first_event(
    actor, workstation, action, status, kind
):
    case = open_case(workstation=workstation, actor=actor, action=action, note="来电", now=START)

    case = Case.objects.get(pk=case.pk)
    assert case.status == status
    assert case.number == "XC-2026-000001"
    assert case.created_at == START
    assert case.next_due_on is None
    assert not case.answered_on_spot
    event = case.events.get()
    assert (event.kind, event.from_status, event.to_status) == (kind, NEW, status)
    assert (event.actor, event.at, event.note, event.referral) == (actor, START, "来电", None)


def test_a_citizen_submitting_online_is_recorded_without_an_actor(workstation):
    case = open_case(workstation=workstation, actor=None, action=Action.SUBMIT, now=START)

    assert case.events.get().actor is None


def test_answering_on_the_spot_closes_the_case_with_the_satisfaction_and_the_answer(
    actor, workstation
):
    case = open_case(
        workstation=workstation,
        actor=actor,
        action=Action.ANSWER,
        satisfaction=Satisfaction.SATISFIED,
        note="解释了物业费收取标准",
        now=START,
    )

    case = Case.objects.get(pk=case.pk)
    assert case.status == S.CLOSED
    assert case.answered_on_spot
    assert case.satisfaction == Satisfaction.SATISFIED
    assert case.resolved_at == case.closed_at == START
    assert case.next_due_on is None
    event = case.events.get()
    assert (event.kind, event.from_status, event.to_status) == (EventKind.ANSWERED, NEW, S.CLOSED)
    assert (event.actor, event.note) == (actor, "解释了物业费收取标准")


@pytest.mark.parametrize("satisfaction", ["", "delighted"])
def test_answering_on_the_spot_without_a_known_satisfaction_is_refused(
    actor, workstation, satisfaction
):
    visit = VisitFactory(workstation=workstation)
    assert_refused(
        lambda: open_case(
            visit=visit,
            actor=actor,
            action=Action.ANSWER,
            satisfaction=satisfaction,
            note="解释了政策",
            now=START,
        ),
        "how satisfied",
    )
    assert not Case.objects.exists()


def test_answering_on_the_spot_a_citizen_left_unsatisfied_is_refused(actor, workstation):
    # The issue must be registered as a case to follow, not closed on the spot.
    visit = VisitFactory(workstation=workstation)
    assert_refused(
        lambda: open_case(
            visit=visit,
            actor=actor,
            action=Action.ANSWER,
            satisfaction=Satisfaction.UNSATISFIED,
            note="解释了政策，居民不认可",
            now=START,
        ),
        "register the issue as a case to follow",
    )
    assert not Case.objects.exists()


@pytest.mark.parametrize("note", ["", "  \n "])
def test_answering_on_the_spot_without_writing_down_the_answer_is_refused(actor, workstation, note):
    visit = VisitFactory(workstation=workstation)
    assert_refused(
        lambda: open_case(
            visit=visit,
            actor=actor,
            action=Action.ANSWER,
            satisfaction=Satisfaction.SATISFIED,
            note=note,
            now=START,
        ),
        "Write down the answer",
    )
    assert not Case.objects.exists()


def test_opening_an_invalid_case_is_refused_and_uses_up_no_number(actor, workstation):
    visit = VisitFactory(workstation=workstation)
    before = world()

    with pytest.raises(ValidationError) as refusal:
        open_case(visit=visit, actor=actor, title="", now=START)

    assert "title" in refusal.value.message_dict
    assert world() == before
    assert open_case(visit=visit, actor=actor, now=START).number == "XC-2026-000001"


@pytest.mark.parametrize("action", [Action.REGISTER, Action.SUBMIT])
def test_opening_a_case_at_another_workstation_than_its_visit_is_refused_and_uses_up_no_number(
    actor, workstation, other_workstation, action
):
    visit = VisitFactory(workstation=workstation)
    case = Case(
        workstation=other_workstation, visit=visit, title="噪音", category=Case.Category.OTHER
    )
    before = world()

    with pytest.raises(ValidationError) as refusal:
        lifecycle.case_open(case=case, actor=actor, action=action, now=START)

    assert refusal.value.message_dict == {
        "workstation": ["A case belongs to the workstation of the visit that raised it."]
    }
    assert world() == before
    assert open_case(visit=visit, actor=actor, now=START).number == "XC-2026-000001"


def test_a_step_that_does_not_open_a_case_cannot_open_one(actor, workstation):
    visit = VisitFactory(workstation=workstation)
    case = Case(workstation=workstation, visit=visit, title="噪音", category=Case.Category.OTHER)

    with pytest.raises(ValueError, match="does not create a case"):
        lifecycle.case_open(case=case, actor=actor, action=Action.ACCEPT, now=START)

    assert not Case.objects.exists()


def test_a_case_already_saved_cannot_be_opened_again(actor, workstation):
    case = open_case(workstation=workstation, actor=actor, now=START)

    with pytest.raises(ValueError, match="unsaved"):
        lifecycle.case_open(case=case, actor=actor, now=START)

    assert case.events.count() == 1


# --- tracking numbers ---------------------------------------------------------


def test_tracking_numbers_are_consecutive_within_a_year_whatever_opened_the_case(
    actor, workstation
):
    numbers = [
        open_case(workstation=workstation, actor=actor, now=START).number,
        open_case(workstation=workstation, action=Action.SUBMIT, now=START).number,
        open_case(
            workstation=workstation,
            actor=actor,
            action=Action.ANSWER,
            satisfaction=Satisfaction.BASICALLY,
            note="当场答复",
            now=START,
        ).number,
    ]

    assert numbers == ["XC-2026-000001", "XC-2026-000002", "XC-2026-000003"]


def test_the_year_of_a_tracking_number_is_the_year_in_xian(actor, workstation):
    late_2026 = open_case(workstation=workstation, actor=actor, now=at(12, 31, 23, 30))
    # 16:30 UTC on New Year's Eve is already half past midnight in Xi'an.
    early_2027 = open_case(
        workstation=workstation, actor=actor, now=datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    )
    next_2026 = open_case(workstation=workstation, actor=actor, now=at(12, 31, 23, 45))

    assert late_2026.number == "XC-2026-000001"
    assert early_2027.number == "XC-2027-000001"
    assert next_2026.number == "XC-2026-000002"


def test_numbers_allocated_in_a_block_are_consecutive_and_never_handed_out_again(
    actor, workstation
):
    first = open_case(workstation=workstation, actor=actor, now=START).number

    block = lifecycle.allocate_numbers(2026, 3)
    after = open_case(workstation=workstation, actor=actor, now=START).number

    assert first == "XC-2026-000001"
    assert block == ["XC-2026-000002", "XC-2026-000003", "XC-2026-000004"]
    assert after == "XC-2026-000005"


def test_a_refused_opening_uses_up_no_tracking_number(actor, workstation):
    with pytest.raises(CaseError):
        open_case(workstation=workstation, actor=actor, action=Action.ANSWER, now=START)

    assert open_case(workstation=workstation, actor=actor, now=START).number == "XC-2026-000001"


@pytest.mark.django_db(transaction=True)
def test_tracking_numbers_stay_unique_and_consecutive_when_allocated_concurrently():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database is not shared between threads")
    threads, per_thread = 8, 10
    barrier = threading.Barrier(threads)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def allocate():
        try:
            barrier.wait()
            for _ in range(per_thread):
                numbers.extend(lifecycle.allocate_numbers(2026))
        except BaseException as error:  # reported below, a thread cannot fail the test itself
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=allocate) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    expected = [f"XC-2026-{n:06d}" for n in range(1, threads * per_thread + 1)]
    assert sorted(numbers) == expected


# --- refusals: missing text ---------------------------------------------------

MISSING_TEXT = [
    (
        "consult",
        "registered",
        lambda s, text: lifecycle.case_consult(case=s.case, actor=s.actor, note=text, now=s.now),
        "Describe the consultation",
    ),
    (
        "resolve",
        "consulting",
        lambda s, text: lifecycle.case_resolve(case=s.case, actor=s.actor, note=text, now=s.now),
        "Describe how the case was resolved",
    ),
    (
        "reject",
        "registered",
        lambda s, text: lifecycle.case_reject(case=s.case, actor=s.actor, reason=text, now=s.now),
        "Give the reason",
    ),
    (
        "note",
        "closed",
        lambda s, text: lifecycle.case_note(case=s.case, actor=s.actor, note=text, now=s.now),
        "The note is empty",
    ),
    (
        "lead-reply",
        "referred",
        lambda s, text: lifecycle.referral_reply(
            referral=s.lead, actor=s.actor, reply=text, now=s.now
        ),
        "Enter the department's reply",
    ),
    (
        "co-reply",
        "referred with co",
        lambda s, text: lifecycle.referral_reply(
            referral=s.co, actor=s.actor, reply=text, now=s.now
        ),
        "Enter the department's reply",
    ),
    (
        "return",
        "referred",
        lambda s, text: lifecycle.referral_return(
            referral=s.lead, actor=s.actor, reason=text, now=s.now
        ),
        "Enter the reason the department gave",
    ),
]


@pytest.mark.parametrize("text", ["", " \n\t "], ids=["empty", "blank"])
@pytest.mark.parametrize(
    ("situation", "attempt", "message"),
    [m[1:] for m in MISSING_TEXT],
    ids=[m[0] for m in MISSING_TEXT],
)
def test_a_step_that_needs_words_is_refused_without_them(story, situation, attempt, message, text):
    s = story(situation)

    assert_refused(lambda: attempt(s, text), message)


# --- refusals: referrals ------------------------------------------------------


@pytest.mark.parametrize(
    "situation",
    ["referred", "acknowledged with co", "replied with co", "referred again after reopening"],
)
def test_a_second_lead_department_is_refused(story, situation):
    s = story(situation)

    assert_refused(
        lambda: lifecycle.case_refer(
            case=s.case, actor=s.actor, department=DepartmentFactory(), now=s.tick()
        ),
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
        lambda: lifecycle.case_refer(
            case=s.case, actor=s.actor, department=department, role=role, now=s.tick()
        ),
        "already with",
    )


# A reopened case's lead has answered the last round: the new round needs its own lead.
@pytest.mark.parametrize("situation", ["registered", "consulting", "reopened with co"])
def test_co_handling_without_a_lead_department_is_refused(story, situation):
    s = story(situation)

    assert_refused(
        lambda: lifecycle.case_refer(
            case=s.case,
            actor=s.actor,
            department=DepartmentFactory(),
            role=ReferralRole.CO,
            now=s.tick(),
        ),
        "lead department first",
    )


def test_co_handling_is_refused_once_the_lead_department_returned_the_case(story):
    s = story("referred")
    lifecycle.referral_return(referral=s.lead, actor=s.actor, reason="不属本局职责", now=s.tick())
    s.reload()

    assert_refused(
        lambda: lifecycle.case_refer(
            case=s.case,
            actor=s.actor,
            department=DepartmentFactory(),
            role=ReferralRole.CO,
            now=s.tick(),
        ),
        "lead department first",
    )


def test_a_department_that_returned_the_case_can_be_given_it_again(story):
    s = story("referred")
    lifecycle.referral_return(referral=s.lead, actor=s.actor, reason="材料不全", now=s.tick())
    s.reload()

    again = lifecycle.case_refer(
        case=s.case, actor=s.actor, department=s.lead.department, due_on=NEW_DUE, now=s.tick()
    )

    assert again.pk != s.lead.pk
    assert again.state == ReferralState.SENT
    assert list(s.case.referrals.values_list("state", flat=True)) == [
        ReferralState.RETURNED,
        ReferralState.SENT,
    ]
    assert Case.objects.get(pk=s.case.pk).next_due_on == NEW_DUE


def test_a_department_that_replied_as_lead_can_be_asked_again_as_co_handling(story):
    s = story("replied with co")
    department = s.lead.department

    again = lifecycle.case_refer(
        case=s.case,
        actor=s.actor,
        department=department,
        role=ReferralRole.CO,
        due_on=NEW_DUE,
        now=s.tick(),
    )

    assert (again.department, again.role, again.state) == (
        department,
        ReferralRole.CO,
        ReferralState.SENT,
    )
    assert Referral.objects.get(pk=s.lead.pk).state == ReferralState.REPLIED
    case = Case.objects.get(pk=s.case.pk)
    assert case.status == S.REPLIED
    assert case.next_due_on == NEW_DUE
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
        lambda: lifecycle.case_refer(
            case=s.case, actor=s.actor, department=closed_down, now=s.tick()
        ),
        "no longer takes referrals",
    )


def test_a_reply_due_in_the_past_is_refused(story):
    s = story("registered")
    now = s.tick()

    assert_refused(
        lambda: lifecycle.case_refer(
            case=s.case,
            actor=s.actor,
            department=DepartmentFactory(),
            due_on=now.date() - timedelta(days=1),
            now=now,
        ),
        "cannot be in the past",
    )


def test_the_past_is_judged_by_the_date_in_xian(story):
    s = story("registered")
    # 16:30 UTC on 9 March is 00:30 on 10 March in Xi'an: 9 March is already past.
    now = datetime(2026, 3, 9, 16, 30, tzinfo=UTC)

    assert_refused(
        lambda: lifecycle.case_refer(
            case=s.case,
            actor=s.actor,
            department=DepartmentFactory(),
            due_on=date(2026, 3, 9),
            now=now,
        ),
        "cannot be in the past",
    )


def test_a_reply_may_be_due_the_same_day(story):
    s = story("registered")
    now = s.tick()

    referral = lifecycle.case_refer(
        case=s.case, actor=s.actor, department=DepartmentFactory(), due_on=now.date(), now=now
    )

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
    assert case.next_due_on is None
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
    _unsatisfied(s)
    s.reload()

    _resolve(s)
    s.reload()
    _satisfied(s)

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

    s.lead = lifecycle.case_refer(
        case=s.case, actor=s.actor, department=first_lead.department, due_on=NEW_DUE, now=s.tick()
    )
    s.reload()
    assert s.case.status == S.REFERRED
    assert s.case.next_due_on == NEW_DUE  # before the co-handling reply, due 27 March
    assert lifecycle.current_lead(s.case) == s.lead
    for step in (_lead_replies, _resolve, _satisfied):
        step(s)
        s.reload()

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

    act(action, s)

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

    _withdraw(s)

    assert list(Referral.objects.filter(case=s.case).values()) == before
    assert not Referral.objects.filter(state=ReferralState.CANCELLED).exists()


def test_ending_one_case_leaves_the_referrals_of_another_open(story):
    other = story("referred with co")
    s = story("referred with co")

    _withdraw(s)

    assert set(other.case.referrals.values_list("state", flat=True)) == {ReferralState.SENT}
    assert Case.objects.get(pk=other.case.pk).next_due_on == LEAD_DUE


def test_a_refused_ending_leaves_the_open_referrals_open(story):
    over = story("closed").case
    s = story("reopened with co")

    assert_refused(
        lambda: lifecycle.case_merge(case=s.case, actor=s.actor, into=over, now=s.tick()),
        "merge into an open case",
    )
    assert Referral.objects.get(pk=s.co.pk).is_open


# --- refusals: somebody else was quicker --------------------------------------

STALE_ATTEMPTS = {
    "consult": lambda s, c: lifecycle.case_consult(case=c, actor=s.actor, note="再议", now=s.now),
    "refer": lambda s, c: lifecycle.case_refer(
        case=c, actor=s.actor, department=s.department, due_on=NEW_DUE, now=s.now
    ),
    "resolve": lambda s, c: lifecycle.case_resolve(case=c, actor=s.actor, note="已解决", now=s.now),
    "merge": lambda s, c: lifecycle.case_merge(case=c, actor=s.actor, into=s.target, now=s.now),
    "reject": lambda s, c: lifecycle.case_reject(case=c, actor=s.actor, reason="重复", now=s.now),
    "withdraw": lambda s, c: lifecycle.case_withdraw(case=c, actor=s.actor, now=s.now),
    "note": lambda s, c: lifecycle.case_note(case=c, actor=s.actor, note="补充", now=s.now),
}


@pytest.mark.parametrize("attempt", STALE_ATTEMPTS.values(), ids=STALE_ATTEMPTS.keys())
def test_a_step_on_a_case_someone_else_moved_meanwhile_is_refused(story, attempt):
    # Each of these steps is allowed both before and after the move made meanwhile, so
    # only the stale status can refuse it.
    s = story("registered")
    s.department = DepartmentFactory()
    s.target = open_case(workstation=s.workstation, actor=s.actor, now=s.tick())
    stale = Case.objects.get(pk=s.case.pk)
    _consult(s)

    assert_refused(lambda: attempt(s, stale), "changed this case meanwhile")


def test_accepting_a_submission_someone_else_accepted_meanwhile_is_refused(story):
    s = story("submitted")
    stale = Case.objects.get(pk=s.case.pk)
    lifecycle.case_accept(case=s.case, actor=s.actor, now=s.tick())

    assert_refused(
        lambda: lifecycle.case_accept(case=stale, actor=s.actor, now=s.tick()),
        "changed this case meanwhile",
    )


def test_a_follow_up_on_a_case_someone_else_followed_up_meanwhile_is_refused(story):
    s = story("resolved")
    stale = Case.objects.get(pk=s.case.pk)
    _satisfied(s)

    assert_refused(
        lambda: lifecycle.case_follow_up(
            case=stale, actor=s.actor, satisfaction=Satisfaction.UNSATISFIED, now=s.tick()
        ),
        "changed this case meanwhile",
    )


def test_a_reply_read_before_the_case_moved_is_refused(story):
    s = story("referred with co")
    co = Referral.objects.select_related("case").get(pk=s.co.pk)
    _lead_replies(s)

    assert_refused(
        lambda: lifecycle.referral_reply(referral=co, actor=s.actor, reply="已处理", now=s.tick()),
        "changed this case meanwhile",
    )


def test_a_step_on_a_referral_someone_else_changed_meanwhile_is_refused(story):
    s = story("referred")
    stale = Referral.objects.get(pk=s.lead.pk)
    lifecycle.referral_acknowledge(referral=s.lead, actor=s.actor, now=s.tick())

    assert_refused(
        lambda: lifecycle.referral_return(
            referral=stale, actor=s.actor, reason="不属本局职责", now=s.tick()
        ),
        "changed this referral meanwhile",
    )


@pytest.mark.django_db(transaction=True)
def test_two_people_accepting_the_same_submission_at_once_make_one_step():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database is not shared between threads")
    case = open_case(action=Action.SUBMIT, now=START)
    users = [UserFactory(), UserFactory()]
    barrier = threading.Barrier(len(users))
    outcomes: list[str] = []

    def accept(user):
        copy = Case.objects.get(pk=case.pk)
        try:
            barrier.wait()
            lifecycle.case_accept(case=copy, actor=user, now=START + timedelta(hours=1))
            outcomes.append("accepted")
        except CaseError:
            outcomes.append("refused")
        finally:
            connection.close()

    workers = [threading.Thread(target=accept, args=(user,)) for user in users]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sorted(outcomes) == ["accepted", "refused"]
    assert case.events.filter(kind=EventKind.ACCEPTED).count() == 1
    assert Case.objects.get(pk=case.pk).status == S.REGISTERED


# --- deadlines ------------------------------------------------------------------


def test_a_reply_is_due_fifteen_working_days_after_referral_by_default(story):
    # Referred on Wednesday 11 February 2026: the Spring Festival (15–23 February) is
    # off, Saturdays 14 and 28 February are make-up working days.
    s = story("registered")

    referral = lifecycle.case_refer(
        case=s.case, actor=s.actor, department=DepartmentFactory(), now=at(2, 11)
    )

    assert referral.due_on == date(2026, 3, 10)
    assert Case.objects.get(pk=s.case.pk).next_due_on == date(2026, 3, 10)


def test_the_next_deadline_is_the_earliest_reply_still_awaited(story):
    s = story("registered")
    lead = lifecycle.case_refer(
        case=s.case,
        actor=s.actor,
        department=DepartmentFactory(),
        due_on=date(2026, 4, 10),
        now=s.tick(),
    )

    def deadline_now():
        return Case.objects.get(pk=s.case.pk).next_due_on

    assert deadline_now() == date(2026, 4, 10)
    co = lifecycle.case_refer(
        case=Case.objects.get(pk=s.case.pk),
        actor=s.actor,
        department=DepartmentFactory(),
        role=ReferralRole.CO,
        due_on=date(2026, 4, 3),
        now=s.tick(),
    )
    assert deadline_now() == date(2026, 4, 3)
    lifecycle.referral_acknowledge(
        referral=Referral.objects.get(pk=co.pk), actor=s.actor, now=s.tick()
    )
    assert deadline_now() == date(2026, 4, 3)
    lifecycle.referral_reply(
        referral=Referral.objects.get(pk=co.pk), actor=s.actor, reply="已办", now=s.tick()
    )
    assert deadline_now() == date(2026, 4, 10)
    lifecycle.referral_return(
        referral=Referral.objects.get(pk=lead.pk),
        actor=s.actor,
        reason="不属本局职责",
        now=s.tick(),
    )
    assert deadline_now() is None


def test_the_follow_up_is_due_five_working_days_after_resolving(story):
    # Resolved on Tuesday 29 September 2026: 30 September, then National Day (1–7 October)
    # is off, 8, 9, Saturday 10 (a make-up working day) and Monday 12 October.
    s = story("consulting")

    lifecycle.case_resolve(case=s.case, actor=s.actor, note="已解决", now=at(9, 29, 10))

    assert Case.objects.get(pk=s.case.pk).next_due_on == date(2026, 10, 12)


def test_the_follow_up_is_counted_from_the_day_in_xian(story):
    s = story("consulting")
    # 16:30 UTC on 29 September is 00:30 on 30 September in Xi'an.
    resolved_at = datetime(2026, 9, 29, 16, 30, tzinfo=UTC)

    lifecycle.case_resolve(case=s.case, actor=s.actor, note="已解决", now=resolved_at)

    assert Case.objects.get(pk=s.case.pk).next_due_on == date(2026, 10, 13)


def test_a_resolved_case_is_due_at_the_earlier_of_an_awaited_reply_and_the_follow_up(story):
    s = story("replied with co")  # the co-handling reply is due 27 March

    lifecycle.case_resolve(case=s.case, actor=s.actor, note="已解决", now=at(3, 24))
    assert Case.objects.get(pk=s.case.pk).next_due_on == CO_DUE

    lifecycle.referral_reply(referral=s.co, actor=s.actor, reply="已配合", now=at(3, 25))
    # Resolved Tuesday 24 March: 25, 26, 27, 30, 31 March.
    assert Case.objects.get(pk=s.case.pk).next_due_on == date(2026, 3, 31)


@pytest.mark.parametrize(
    ("situation", "expected"),
    [("closed", None), ("reopened with co", CO_DUE), ("withdrawn while referred", None)],
)
def test_closing_or_withdrawing_clears_the_deadline_and_reopening_keeps_awaited_replies(
    story, situation, expected
):
    case = story(situation).case

    assert case.next_due_on == expected


def test_resolving_when_the_follow_up_falls_in_a_year_without_a_calendar_is_refused(story):
    # Resolved Monday 28 December 2026: the fourth working day after it is in 2027.
    s = story("consulting")

    assert_refused(
        lambda: lifecycle.case_resolve(case=s.case, actor=s.actor, note="已解决", now=at(12, 28)),
        "calendar for 2027 has not been entered",
    )


def test_referring_when_the_default_due_date_falls_in_a_year_without_a_calendar_is_refused(story):
    # Referred Monday 21 December 2026: only eight working days are left in 2026.
    s = story("consulting")
    department = DepartmentFactory()

    assert_refused(
        lambda: lifecycle.case_refer(
            case=s.case, actor=s.actor, department=department, now=at(12, 21)
        ),
        "calendar for 2027 has not been entered",
    )


def test_referring_with_a_due_date_needs_no_calendar_for_the_next_year(story):
    s = story("consulting")

    referral = lifecycle.case_refer(
        case=s.case,
        actor=s.actor,
        department=DepartmentFactory(),
        due_on=date(2026, 12, 31),
        now=at(12, 21),
    )

    assert Case.objects.get(pk=s.case.pk).next_due_on == referral.due_on == date(2026, 12, 31)


def test_a_note_on_a_case_answered_in_a_year_without_a_calendar_needs_no_calendar(
    actor, workstation
):
    # Answered on the spot before the 2025 calendar was entered: a closed case has no
    # deadline left, so a later note must not count one.
    case = open_case(
        workstation=workstation,
        actor=actor,
        action=Action.ANSWER,
        satisfaction=Satisfaction.SATISFIED,
        note="当场答复",
        now=at(12, 30, year=2025),
    )

    lifecycle.case_note(case=case, actor=actor, note="补充记录", now=START)

    assert Case.objects.get(pk=case.pk).next_due_on is None
    assert case.events.count() == 2


def test_the_deadline_rule_ignores_the_follow_up_unless_resolved_and_everything_once_over():
    dues = [date(2026, 4, 10), date(2026, 4, 3)]
    follow_up = date(2026, 4, 1)

    assert lifecycle.deadline(S.RESOLVED, dues, follow_up) == date(2026, 4, 1)
    assert lifecycle.deadline(S.RESOLVED, dues, None) == date(2026, 4, 3)
    assert lifecycle.deadline(S.REFERRED, dues, follow_up) == date(2026, 4, 3)
    assert lifecycle.deadline(S.CONSULTING, [], follow_up) is None
    for status in TERMINAL_STATUSES:
        assert lifecycle.deadline(status, dues, follow_up) is None


# --- the whole loop, paths and the table's helpers ----------------------------


def test_the_closed_loop_keeps_every_step_in_order(story):
    s = story("registered")
    for step in (_consult, _refer_lead):
        step(s)
        s.reload()
    lifecycle.referral_acknowledge(referral=s.lead, actor=s.actor, now=s.tick())
    s.reload()
    for step in (_lead_replies, _resolve, _satisfied):
        step(s)
        s.reload()

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
