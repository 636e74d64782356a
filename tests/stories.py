"""The story harness: cases brought to a status through the lifecycle (never by writing a
status), and the rows a test compares before and after a refusal.

Two ways to tell a story, for two kinds of test:

- `World` opens cases now, at a workstation, with a known visitor, each step taken by its
  staff: what the staff pages show (`world.referred(workstation)`; the `world` fixture,
  deadlines counted in the `working_calendar`).
- `tell` plays one case hour by hour from Monday 2 March 2026 through the steps a
  situation names (`SITUATIONS`), so that the lifecycle's rules can be checked against
  fixed dates (`story("replied with co")`; the `story` fixture, on the 2026 calendar);
  `take(action, story)` then takes one more step.

The fixtures are in tests/conftest.py.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from visits import lifecycle
from visits.lifecycle import Action, CaseError
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
    Visit,
)
from workdays.calendar import add_working_days

from .factories import DepartmentFactory, VisitFactory, open_case

S = CaseStatus

# The visitor of every case `World` opens, and how the pages mask them.
PHONE = "13812345678"
MASKED_PHONE = "138****5678"
NAME = "王小明"
MASKED_NAME = "王**"
ADDRESS = "新城区西一路8号"

OPEN_STATES = (ReferralState.SENT, ReferralState.ACKNOWLEDGED)
TERMINAL_STATUSES = {S.CLOSED, S.REJECTED, S.MERGED, S.WITHDRAWN}

# The setting whose working days each open status gives the case for its own step; a
# referred case has its own step only once every referral was sent back (handle it again).
STEP_DAYS = {
    S.SUBMITTED: "ACCEPTANCE_WORKING_DAYS",
    S.REGISTERED: "FIRST_HANDLING_WORKING_DAYS",
    S.CONSULTING: "CONSULTATION_WORKING_DAYS",
    S.REFERRED: "FIRST_HANDLING_WORKING_DAYS",
    S.REPLIED: "RESOLUTION_WORKING_DAYS",
    S.RESOLVED: "FOLLOW_UP_WORKING_DAYS",
}


def expected_step_due(case) -> date | None:
    """The case's own step deadline worked out from its rows, independently of the
    lifecycle: the status's working days from the day the case entered it."""
    open_referrals = [r for r in case.referrals.all() if r.state in OPEN_STATES]
    if case.status in TERMINAL_STATUSES or (case.status == S.REFERRED and open_referrals):
        return None
    events = case.events.filter(to_status=case.status)
    if case.status == S.REFERRED:
        events = events.filter(kind=EventKind.RETURNED)
    else:
        events = events.exclude(from_status=case.status)
    entered = events.order_by("at", "pk").last().at
    days = getattr(settings, STEP_DAYS[case.status])
    return add_working_days(timezone.localdate(entered), days)


def expected_deadline(case) -> date | None:
    """The next deadline worked out from the rows: the case's own step's, a department's
    acknowledgement while a referral is only sent, an open referral's reply."""
    if case.status in TERMINAL_STATUSES:
        return None
    dues = [expected_step_due(case)]
    for referral in case.referrals.all():
        if referral.state in OPEN_STATES:
            dues.append(referral.due_on)
        if referral.state == ReferralState.SENT:
            dues.append(referral.acknowledge_due_on)
    return min((due for due in dues if due), default=None)


def rows() -> dict[str, list]:
    """Every row a step, a correction or a staff page could write: compared before and
    after a refusal, they show that nothing changed."""
    return {
        "visits": list(Visit.objects.order_by("pk").values()),
        "cases": list(Case.objects.order_by("pk").values()),
        "handling members": list(Case.handling_members.through.objects.order_by("pk").values()),
        "referrals": list(Referral.objects.order_by("pk").values()),
        "events": list(CaseEvent.objects.order_by("pk").values()),
        "numbers": list(CaseNumberSequence.objects.order_by("year").values()),
        # The refusal's own line aside (tests/audit/test_denied.py).
        "audit": list(
            AuditEntry.objects.exclude(action=AuditAction.DENIED).order_by("pk").values()
        ),
    }


def record(case: Case) -> tuple:
    """What a correction changes: the details, the workstation, the visit's workstation,
    the handling members and the timeline."""
    case = Case.objects.select_related("visit").get(pk=case.pk)
    return (
        case.title,
        case.category,
        case.description,
        case.workstation_id,
        case.visit.workstation_id,
        sorted(case.handling_members.values_list("pk", flat=True)),
        case.events.count(),
    )


def assert_refused(attempt, match: str) -> CaseError:
    """Assert the lifecycle refuses `attempt` with a message matching `match`, and that
    the refusal wrote nothing."""
    before = rows()
    with pytest.raises(CaseError, match=match) as refusal:
        attempt()
    assert rows() == before
    return refusal.value


def lead_of(case: Case) -> Referral:
    """The case's lead referral still waiting for its department."""
    return case.referrals.get(role=ReferralRole.LEAD, state__in=OPEN_STATES)


def answered(*, note: str, satisfaction=Satisfaction.SATISFIED, actor=None, now=None, **fields):
    """A case answered on the spot through the lifecycle: closed at once with the citizen's
    satisfaction and the answer given (`note`). `fields` name its visit or workstation."""
    return open_case(
        action=Action.ANSWER, actor=actor, satisfaction=satisfaction, note=note, now=now, **fields
    )


# --- World: cases opened now, for the pages ------------------------------------------


def days_ago(days: int, hour: int = 10):
    moment = timezone.localtime() - timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


class World:
    """Cases brought to a status through the lifecycle, at a workstation, by its staff."""

    def __init__(self, actor, departments):
        self.actor = actor
        self.lead_department, self.co_department = departments

    def registered(self, workstation, *, at=None, members=(), **fields) -> Case:
        visit = VisitFactory(
            workstation=workstation, visitor_name=NAME, visitor_phone=PHONE, visitor_address=ADDRESS
        )
        case = open_case(visit=visit, actor=self.actor, now=at, **fields)
        if members:
            case.handling_members.set(members)
        return case

    def consulting(self, workstation, **kwargs) -> Case:
        case = self.registered(workstation, **kwargs)
        return lifecycle.case_consult(case=case, actor=self.actor, note="约物业和居民代表微协商")

    def referred(self, workstation, *, at=None, co=True, **kwargs) -> Case:
        """Referred to a lead (and a co-handling) department; overdue when `at` is long ago."""
        case = self.registered(workstation, at=at, **kwargs)
        sent = at + timedelta(hours=1) if at else None
        lifecycle.case_refer(
            case=case, actor=self.actor, department=self.lead_department, note="转住建局", now=sent
        )
        if co:
            lifecycle.case_refer(
                case=Case.objects.get(pk=case.pk),
                actor=self.actor,
                department=self.co_department,
                role=ReferralRole.CO,
                now=sent,
            )
        return Case.objects.get(pk=case.pk)

    def overdue(self, workstation, **kwargs) -> Case:
        return self.referred(workstation, at=days_ago(60), **kwargs)

    def replied(self, workstation, **kwargs) -> Case:
        case = self.referred(workstation, **kwargs)
        lead = case.referrals.get(role=ReferralRole.LEAD)
        lifecycle.referral_reply(referral=lead, actor=self.actor, reply="已约谈物业公司，限期整改")
        return Case.objects.get(pk=case.pk)

    def resolved(self, workstation, **kwargs) -> Case:
        case = self.replied(workstation, **kwargs)
        return lifecycle.case_resolve(case=case, actor=self.actor, note="物业已整改")

    def closed(self, workstation, **kwargs) -> Case:
        case = self.resolved(workstation, **kwargs)
        return lifecycle.case_follow_up(
            case=case, actor=self.actor, satisfaction=Satisfaction.SATISFIED
        )

    def submitted(self, workstation, **kwargs) -> Case:
        visit = VisitFactory(workstation=workstation, visitor_phone=PHONE)
        return open_case(visit=visit, action=lifecycle.Action.SUBMIT, **kwargs)

    def mixed(self, workstation, n: int, *, members=()) -> list[Case]:
        """n cases cycling through registered, consulting, overdue, replied and resolved,
        each with its events, referrals and handling members: what an N+1 would show on."""
        makers = [self.registered, self.consulting, self.overdue, self.replied, self.resolved]
        return [
            makers[i % len(makers)](workstation, title=f"第{i}号 小区物业", members=members)
            for i in range(n)
        ]


# --- Story: one case scripted from Monday 2 March 2026, for the lifecycle's rules ----------

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


START = at(3, 2, 9)  # Monday 2 March 2026, an ordinary working week
LEAD_DUE = date(2026, 3, 20)
CO_DUE = date(2026, 3, 27)
NEW_DUE = date(2026, 3, 25)
TEXT = "第二次协商：物业承诺一周内整改"


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


# The steps a story is told with, each an hour after the one before.


def submit(s: Story) -> None:
    s.case = open_case(workstation=s.workstation, action=Action.SUBMIT, now=s.tick())


def register(s: Story) -> None:
    s.case = open_case(workstation=s.workstation, actor=s.actor, now=s.tick())


def consult(s: Story) -> None:
    lifecycle.case_consult(case=s.case, actor=s.actor, note="约物业和居民代表微协商", now=s.tick())


def refer(s: Story, department=None, *, now=None, **fields) -> Referral:
    """Refer the story's case (to a new department unless one is named), an hour after the
    last step unless `now` says when; `fields`: role, due_on, note."""
    department = department or DepartmentFactory()
    return lifecycle.case_refer(
        case=s.case, actor=s.actor, department=department, now=now or s.tick(), **fields
    )


def refer_lead(s: Story) -> None:
    s.lead = refer(s, due_on=LEAD_DUE)


def refer_co(s: Story) -> None:
    s.co = refer(s, role=ReferralRole.CO, due_on=CO_DUE)


def lead_acknowledges(s: Story) -> None:
    lifecycle.referral_acknowledge(referral=s.lead, actor=s.actor, now=s.tick())


def lead_replies(s: Story) -> None:
    lifecycle.referral_reply(referral=s.lead, actor=s.actor, reply="已督促物业整改", now=s.tick())


def resolve(s: Story) -> None:
    lifecycle.case_resolve(case=s.case, actor=s.actor, note="物业已整改", now=s.tick())


def satisfied(s: Story) -> None:
    lifecycle.case_follow_up(
        case=s.case, actor=s.actor, satisfaction=Satisfaction.SATISFIED, now=s.tick()
    )


def unsatisfied(s: Story) -> None:
    lifecycle.case_follow_up(
        case=s.case,
        actor=s.actor,
        satisfaction=Satisfaction.UNSATISFIED,
        note="居民反映问题仍未解决",
        now=s.tick(),
    )


def reject(s: Story) -> None:
    lifecycle.case_reject(case=s.case, actor=s.actor, reason="不属于受理范围", now=s.tick())


def merge(s: Story) -> None:
    into = open_case(workstation=s.workstation, actor=s.actor, now=s.tick())
    lifecycle.case_merge(case=s.case, actor=s.actor, into=into, now=s.tick())


def withdraw(s: Story) -> None:
    lifecycle.case_withdraw(case=s.case, actor=s.actor, note="居民撤回", now=s.tick())


def play(s: Story, *steps) -> None:
    """Take the steps one after the other, reading the story afresh after each."""
    for step in steps:
        step(s)
        s.reload()


_REPLIED_WITH_CO = (register, refer_lead, refer_co, lead_replies)
_RESOLVED_WITH_CO = (*_REPLIED_WITH_CO, resolve)
_REOPENED_WITH_CO = (*_RESOLVED_WITH_CO, unsatisfied)

# situation -> (the steps that reach it, the status they reach)
SITUATIONS = {
    "submitted": ((submit,), S.SUBMITTED),
    "registered": ((register,), S.REGISTERED),
    "consulting": ((register, consult), S.CONSULTING),
    "referred": ((register, refer_lead), S.REFERRED),
    "referred with co": ((register, refer_lead, refer_co), S.REFERRED),
    "acknowledged with co": ((register, refer_lead, refer_co, lead_acknowledges), S.REFERRED),
    "replied with co": (_REPLIED_WITH_CO, S.REPLIED),
    "resolved": ((register, resolve), S.RESOLVED),
    "resolved with co": (_RESOLVED_WITH_CO, S.RESOLVED),
    "closed": ((register, resolve, satisfied), S.CLOSED),
    "closed with co": ((*_RESOLVED_WITH_CO, satisfied), S.CLOSED),
    "reopened with co": (_REOPENED_WITH_CO, S.CONSULTING),
    # A second round (重办): the reopened case goes to a new lead department.
    "referred again after reopening": ((*_REOPENED_WITH_CO, refer_lead), S.REFERRED),
    "rejected": ((register, reject), S.REJECTED),
    "rejected after reopening": ((*_REOPENED_WITH_CO, reject), S.REJECTED),
    "merged": ((register, merge), S.MERGED),
    "merged after reopening": ((*_REOPENED_WITH_CO, merge), S.MERGED),
    "withdrawn": ((register, withdraw), S.WITHDRAWN),
    "withdrawn while referred": (
        (register, refer_lead, refer_co, withdraw),
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
    play(story, *steps)
    assert story.case.status == status, f"the story {situation!r} did not reach {status}"
    return story


def prepare(action: str, s: Story) -> None:
    """Create what an attempt needs beforehand, so the attempt itself is all that can change."""
    if action == Action.REFER:
        s.department = DepartmentFactory()
    if action == Action.MERGE:
        s.target = open_case(workstation=s.workstation, actor=s.actor, now=s.tick())
        s.reload()


def take(action: str, s: Story, on: str | None = None) -> Referral | None:
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
