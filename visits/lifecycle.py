"""The case lifecycle: statuses, the table of allowed transitions, one function per step.

This module is the only writer of `Case.status`. Each step locks the case row,
checks the table and its own guard, saves, and writes the timeline event, all in
one transaction; a refusal raises CaseError and changes nothing. Corrections to
the record (details, handling members, workstation) keep the status and are built
the same way. Permission to act is checked by the callers (views), not here.
"""

from collections.abc import Callable, Iterable
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import Member
from workdays.calendar import (
    CalendarMissing,
    DueDateError,
    add_working_days,
    check_due_date,
    check_due_window,
)
from workstations.models import Department, Workstation
from workstations.validators import no_contact_details

from . import search, tallies, time_limits
from .models import (
    OPEN_REFERRAL_STATES,
    Case,
    CaseCategory,
    CaseEvent,
    CaseNumberSequence,
    CaseStatus,
    EventKind,
    Extension,
    ExtensionState,
    Referral,
    ReferralRole,
    ReferralState,
    Satisfaction,
    Supervision,
    SupervisionState,
    TimeLimitStep,
    Visit,
)

S = CaseStatus
Step = TimeLimitStep
NEW = ""  # the "status" of a case that does not exist yet


class Action(models.TextChoices):
    SUBMIT = "submit", gettext_lazy("Submit online")
    REGISTER = "register", gettext_lazy("Register")
    ANSWER = "answer", gettext_lazy("Answer on the spot")
    ACCEPT = "accept", gettext_lazy("Accept")
    CONSULT = "consult", gettext_lazy("Record a consultation")
    REFER = "refer", gettext_lazy("Refer to a department")
    ACKNOWLEDGE = "acknowledge", gettext_lazy("Record acknowledgement")
    REPLY = "reply", gettext_lazy("Record the lead department's reply")
    CO_REPLY = "co_reply", gettext_lazy("Record a co-handling department's reply")
    RETURN = "return", gettext_lazy("Record a returned referral")
    RESOLVE = "resolve", gettext_lazy("Resolve")
    CLOSE = "close", gettext_lazy("Follow up and close")
    REOPEN = "reopen", gettext_lazy("Follow up: unsatisfied, reopen")
    MERGE = "merge", gettext_lazy("Merge into another case")
    REJECT = "reject", gettext_lazy("Reject")
    WITHDRAW = "withdraw", gettext_lazy("Withdraw")
    NOTE = "note", gettext_lazy("Add a note")


_ANY_OPEN = (S.REGISTERED, S.CONSULTING, S.REFERRED, S.REPLIED)
_WORKING = (S.REFERRED, S.REPLIED)

# action -> {status before: status after}. A status missing from an action's map
# means the action is refused there.
TRANSITIONS: dict[str, dict[str, str]] = {
    Action.SUBMIT: {NEW: S.SUBMITTED},
    Action.REGISTER: {NEW: S.REGISTERED},
    Action.ANSWER: {NEW: S.CLOSED},
    Action.ACCEPT: {S.SUBMITTED: S.REGISTERED},
    Action.CONSULT: {S.REGISTERED: S.CONSULTING, S.CONSULTING: S.CONSULTING}
    | {s: s for s in _WORKING},
    Action.REFER: {S.REGISTERED: S.REFERRED, S.CONSULTING: S.REFERRED} | {s: s for s in _WORKING},
    # Co-handling departments may still answer after the lead's reply resolved the case.
    Action.ACKNOWLEDGE: {s: s for s in (*_WORKING, S.RESOLVED)},
    Action.REPLY: {S.REFERRED: S.REPLIED},
    Action.CO_REPLY: {s: s for s in _WORKING} | {S.RESOLVED: S.RESOLVED},
    Action.RETURN: {s: s for s in (*_WORKING, S.RESOLVED)},
    Action.RESOLVE: {S.REGISTERED: S.RESOLVED, S.CONSULTING: S.RESOLVED, S.REPLIED: S.RESOLVED},
    Action.CLOSE: {S.RESOLVED: S.CLOSED},
    Action.REOPEN: {S.RESOLVED: S.CONSULTING},
    Action.MERGE: {s: S.MERGED for s in (S.SUBMITTED, S.REGISTERED, S.CONSULTING)},
    Action.REJECT: {s: S.REJECTED for s in (S.SUBMITTED, S.REGISTERED, S.CONSULTING)},
    Action.WITHDRAW: {s: S.WITHDRAWN for s in (S.SUBMITTED, *_ANY_OPEN)},
    Action.NOTE: {s: s for s in S.values},
}

# The timeline event each action writes.
EVENT_KIND: dict[str, str] = {
    Action.SUBMIT: EventKind.SUBMITTED,
    Action.REGISTER: EventKind.REGISTERED,
    Action.ANSWER: EventKind.ANSWERED,
    Action.ACCEPT: EventKind.ACCEPTED,
    Action.CONSULT: EventKind.CONSULTED,
    Action.REFER: EventKind.REFERRED,
    Action.ACKNOWLEDGE: EventKind.ACKNOWLEDGED,
    Action.REPLY: EventKind.REPLIED,
    Action.CO_REPLY: EventKind.REPLIED,
    Action.RETURN: EventKind.RETURNED,
    Action.RESOLVE: EventKind.RESOLVED,
    Action.CLOSE: EventKind.CLOSED,
    Action.REOPEN: EventKind.REOPENED,
    Action.MERGE: EventKind.MERGED,
    Action.REJECT: EventKind.REJECTED,
    Action.WITHDRAW: EventKind.WITHDRAWN,
    Action.NOTE: EventKind.NOTE,
}

TERMINAL = frozenset({S.CLOSED, S.REJECTED, S.MERGED, S.WITHDRAWN})


class Actor(models.TextChoices):
    """How a user stands to a case; `visits.access` decides which one a user is."""

    HANDLER = "handler", gettext_lazy("Staff of its workstation, or an administrator")
    MEMBER = "member", gettext_lazy("A member handling it")
    CITIZEN = "citizen", gettext_lazy("The citizen, online with the lookup code")
    DEPARTMENT = "department", gettext_lazy("A liaison of a department it was referred to")


# Who may take each step. Staff of the case's workstation (and administrators) run
# the whole loop; a handling member records consultations and notes; the citizen who
# submitted online adds information (追加) and gives the follow-up satisfaction.
# A department's liaison signs for, answers or returns the referral to their department;
# the desk may record the same on the department's behalf (a reply that came on paper).
ALLOWED_ACTORS: dict[str, frozenset[str]] = {
    **{
        action: frozenset({Actor.HANDLER, Actor.DEPARTMENT})
        for action in (Action.ACKNOWLEDGE, Action.REPLY, Action.CO_REPLY, Action.RETURN)
    },
    Action.NOTE: frozenset({Actor.HANDLER, Actor.MEMBER, Actor.CITIZEN}),
    Action.CONSULT: frozenset({Actor.HANDLER, Actor.MEMBER}),
    Action.CLOSE: frozenset({Actor.HANDLER, Actor.CITIZEN}),
    Action.REOPEN: frozenset({Actor.HANDLER, Actor.CITIZEN}),
}
ALLOWED_ACTORS.update(
    {action: frozenset({Actor.HANDLER}) for action in Action.values if action not in ALLOWED_ACTORS}
)


def actions_for(actor: str | None) -> frozenset[str]:
    return frozenset(a for a, actors in ALLOWED_ACTORS.items() if actor in actors)


def citizen_actions(case: Case) -> frozenset[str]:
    """What the citizen may do online now: add information while the case is open,
    give their satisfaction once it is resolved."""
    allowed = actions_for(Actor.CITIZEN) & set(allowed_actions(case))
    if case.status in TERMINAL:
        allowed -= {Action.NOTE}
    return frozenset(allowed)


_CREATING = (Action.SUBMIT, Action.REGISTER, Action.ANSWER)


class CaseError(Exception):
    """A step that cannot be taken; its message is meant for the user."""


def allowed_actions(case: Case) -> list[str]:
    """The actions the table allows from the case's current status (guards aside)."""
    return [a for a, moves in TRANSITIONS.items() if a not in _CREATING and case.status in moves]


def can(case: Case, action: str) -> bool:
    return case.status in TRANSITIONS[action]


# The step a case waits for in each status, the most expected first: an online submission
# is accepted (受理), a registered or consulted case referred (转办), a referred one waits
# for its department's reply, a replied one is resolved (办结), a resolved one followed up
# (回访). The later entries stand in when the first cannot be taken (a member does not
# refer; a returned referral leaves no reply to record). An ended case expects nothing.
EXPECTED_STEPS: dict[str, tuple[str, ...]] = {
    S.SUBMITTED: (Action.ACCEPT,),
    S.REGISTERED: (Action.REFER, Action.CONSULT, Action.RESOLVE),
    S.CONSULTING: (Action.REFER, Action.RESOLVE, Action.CONSULT),
    S.REFERRED: (Action.REPLY, Action.REFER, Action.CONSULT),
    S.REPLIED: (Action.RESOLVE, Action.REFER, Action.CONSULT),
    S.RESOLVED: (Action.CLOSE,),
}

# Steps that end a case without resolving it: nothing reopens a case rejected, merged
# into another or withdrawn, so whoever takes one confirms it first.
DESTRUCTIVE = frozenset({Action.REJECT, Action.MERGE, Action.WITHDRAW})


def expected_action(status: str, offered: Iterable[str] | None = None) -> str | None:
    """The step a case in `status` expects now, among the steps `offered` (those this user
    may take on it; all the table allows when None). None when it expects none of them."""
    candidates = EXPECTED_STEPS.get(status, ())
    if offered is None:
        offered = [a for a, moves in TRANSITIONS.items() if status in moves]
    offered = set(offered)
    return next((action for action in candidates if action in offered), None)


# --- tracking numbers -------------------------------------------------------


def allocate_numbers(year: int, count: int = 1) -> list[str]:
    """Reserve `count` consecutive tracking numbers for `year` (XC-2026-000123)."""
    with transaction.atomic():
        CaseNumberSequence.objects.get_or_create(year=year)
        sequence = CaseNumberSequence.objects.select_for_update().get(year=year)
        first = sequence.last + 1
        sequence.last += count
        sequence.save(update_fields=["last"])
    return [f"XC-{year}-{n:06d}" for n in range(first, first + count)]


# --- the steps -------------------------------------------------------------


def _after(status: str, action: str) -> str:
    after = TRANSITIONS[action].get(status)
    if after is None:
        raise CaseError(
            _("“%(action)s” is not possible while the case is “%(status)s”.")
            % {"action": Action(action).label, "status": CaseStatus(status).label}
        )
    return after


def _check(case: Case, action: str) -> str:
    return _after(case.status, action)


def _lock_row(pk: int) -> Case:
    """The one place a case row is locked. A step takes its time only once it holds the
    row: a step that waited for another one is stamped after it, so the timeline keeps
    the order in which the steps really happened."""
    return tallies.seen(Case.objects.select_for_update().get(pk=pk))


def _unchanged(locked: Case, seen_status: str) -> Case:
    """Refuse when the case is no longer in the status the user saw (a stale page)."""
    if locked.status != seen_status:
        raise CaseError(
            _("Someone else changed this case meanwhile (it is now “%(status)s”). Please reload.")
            % {"status": locked.get_status_display()}
        )
    return locked


def _lock(case: Case, seen_status: str | None = None) -> Case:
    """Lock the case row and make sure nobody changed it since the user saw it in
    `seen_status` (by default, the status of the caller's copy)."""
    return _unchanged(_lock_row(case.pk), seen_status or case.status)


# The clock each open status starts for the case itself. A referred case waits on its
# departments, whose referrals carry their own dates; once none is open any more (all sent
# back), the case is due to be handled again like a newly registered one.
STATUS_CLOCK: dict[str, str] = {
    S.SUBMITTED: Step.ACCEPT,
    S.REGISTERED: Step.FIRST_HANDLING,
    S.CONSULTING: Step.CONSULTATION,
    S.REPLIED: Step.RESOLUTION,
    S.RESOLVED: Step.FOLLOW_UP,
}


def step_due(
    status: str,
    before: str,
    *,
    has_open_referrals: bool,
    running: date | None,
    count: Callable[[str], date | None],
) -> date | None:
    """The case's own step deadline after a step took it from `before` to `status`: a new
    clock, counted by `count(step)`, when it enters a status; the `running` one otherwise.
    A referred case has none while a referral is open, and a new one once none is."""
    if status in TERMINAL or (status == S.REFERRED and has_open_referrals):
        return None
    if status == S.REFERRED:
        clock = None if running else Step.FIRST_HANDLING
    else:
        clock = STATUS_CLOCK.get(status) if status != before else None
    return count(clock) if clock else running


def deadline(status: str, open_referral_dues: Iterable[date], step_due: date | None) -> date | None:
    """The next date a case must meet: its own step's, or an open referral's."""
    if status in TERMINAL:
        return None
    dues = [due for due in (*open_referral_dues, step_due) if due is not None]
    return min(dues, default=None)


def _keep_clock(case: Case, before: str, day: date) -> None:
    """Set the case's own step deadline and its next deadline after a step on `day`."""
    open_dues = (
        [r.next_due_on for r in case.referrals.filter(state__in=OPEN_REFERRAL_STATES)]
        if case.pk
        else []
    )
    case.step_due_on = step_due(
        case.status,
        before,
        has_open_referrals=bool(open_dues),
        running=case.step_due_on,
        count=lambda step: time_limits.due_after(step, start=day, category=case.category),
    )
    case.next_due_on = deadline(case.status, open_dues, case.step_due_on)


def _working_days_after(day: date, count: int) -> date:
    try:
        return add_working_days(day, count)
    except CalendarMissing as missing:
        raise CaseError(str(missing)) from missing


def _apply(
    case: Case,
    action: str,
    *,
    actor,
    note: str = "",
    referral: Referral | None = None,
    now: datetime | None,
    fields: tuple[str, ...] = (),
    satisfaction: str = "",
    for_departments: bool = False,
) -> Case:
    """Move a locked case by `action`, keep its deadline, and write the event (with the
    citizen's `satisfaction` when it is a follow-up)."""
    now = now or timezone.now()
    before = case.status
    case.status = _check(case, action)
    if case.status in TERMINAL:
        # An ended case asks nothing more of any department, nor the office of anyone.
        case.referrals.filter(state__in=OPEN_REFERRAL_STATES).update(
            state=ReferralState.CANCELLED, cancelled_at=now
        )
        case.supervisions.filter(state=SupervisionState.OPEN).update(state=SupervisionState.ENDED)
    _lapse_extensions(case, now)
    _keep_clock(case, before, timezone.localdate(now))
    case.save(update_fields=["status", "step_due_on", "next_due_on", "updated_at", *fields])
    tallies.move(case)
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        at=now,
        kind=EVENT_KIND[action],
        from_status=before,
        to_status=case.status,
        note=note,
        referral=referral,
        satisfaction=satisfaction,
        for_departments=for_departments,
    )
    if note:
        search.reindex(case)
    return case


@transaction.atomic
def case_open(
    *, case: Case, actor, action: str = Action.REGISTER, note: str = "", now=None
) -> Case:
    """Save a new case (unsaved instance) with its tracking number and first event.

    `action` is REGISTER for a case logged by staff, SUBMIT for a citizen's online
    submission, ANSWER for an issue answered on the spot (which needs a satisfaction).
    """
    if action not in _CREATING:
        raise ValueError(f"{action} does not create a case")
    if case.pk is not None:
        raise ValueError("case_open takes an unsaved case")
    now = now or timezone.now()
    if action == Action.ANSWER:
        if case.satisfaction not in Satisfaction.values:
            raise CaseError(_("Ask the citizen how satisfied they are with the answer."))
        if case.satisfaction == Satisfaction.UNSATISFIED:
            raise CaseError(
                _(
                    "The citizen is not satisfied with the answer: register the issue as a case to follow."
                )
            )
        if not note.strip():
            raise CaseError(_("Write down the answer given on the spot."))
        case.answered_on_spot = True
        case.resolved_at = case.closed_at = now
    case.status = TRANSITIONS[action][NEW]
    case.created_at = now
    case.number = allocate_numbers(timezone.localdate(now).year)[0]
    _keep_clock(case, NEW, timezone.localdate(now))
    case.full_clean(exclude=["number", "handling_members"])
    case.save()
    tallies.move(case, new=True)
    CaseEvent.objects.create(
        case=case, actor=actor, at=now, kind=EVENT_KIND[action], to_status=case.status, note=note
    )
    search.reindex(case)
    return case


# Every step below takes `seen_status`, the status the user saw the case in, and refuses
# if the case has moved since; without it, the status of the `case` passed is compared.
# Each takes its time (`now`, for tests) only once it holds the case row.


@transaction.atomic
def case_accept(*, case: Case, actor, note: str = "", seen_status=None, now=None) -> Case:
    return _apply(_lock(case, seen_status), Action.ACCEPT, actor=actor, note=note, now=now)


@transaction.atomic
def case_consult(*, case: Case, actor, note: str, seen_status=None, now=None) -> Case:
    if not note.strip():
        raise CaseError(_("Describe the consultation: who took part and what was agreed."))
    return _apply(_lock(case, seen_status), Action.CONSULT, actor=actor, note=note, now=now)


@transaction.atomic
def case_refer(
    *,
    case: Case,
    actor,
    department: Department,
    role: str = ReferralRole.LEAD,
    due_on: date | None = None,
    note: str = "",
    seen_status=None,
    now=None,
) -> Referral:
    """Refer the case to a department; the reply is due in working days by default."""
    case = _lock(case, seen_status)
    now = now or timezone.now()
    _check(case, Action.REFER)
    if not department.is_active:
        raise CaseError(_("%(department)s no longer takes referrals.") % {"department": department})
    if case.referrals.filter(department=department, state__in=OPEN_REFERRAL_STATES).exists():
        raise CaseError(_("The case is already with %(department)s.") % {"department": department})
    lead = current_lead(case)
    if role == ReferralRole.LEAD and lead is not None:
        raise CaseError(_("The case already has a lead department; add this one as co-handling."))
    if role == ReferralRole.CO and lead is None:
        raise CaseError(_("Refer the case to a lead department first."))
    today = timezone.localdate(now)
    if due_on is None:
        reply_days = time_limits.working_days(Step.REPLY, on=today, category=case.category)
        due_on = _working_days_after(today, reply_days)
    else:
        # Whoever calls (the form, admin, a command): never past, never beyond a year.
        # That it falls on a working day is the referral form's check, where a person
        # chooses it from the calendar (workdays.check_due_date).
        try:
            check_due_window(due_on, today=today)
        except DueDateError as refused:
            raise CaseError(str(refused)) from refused
    referral = Referral(
        case=case,
        department=department,
        role=role,
        due_on=due_on,
        acknowledge_due_on=time_limits.due_after(
            Step.ACKNOWLEDGE, start=today, category=case.category
        ),
        sent_at=now,
        sent_by=actor,
    )
    referral.full_clean()
    referral.save()
    _apply(case, Action.REFER, actor=actor, note=note, referral=referral, now=now)
    return referral


def current_lead(case: Case) -> Referral | None:
    """The lead department of the current round: one awaiting its reply, or one whose
    reply the case is now acting on. After a reopening (重办) a new round needs a new lead."""
    return lead_among(case, case.referrals.all())


def lead_among(case: Case, referrals) -> Referral | None:
    """`current_lead` among the case's `referrals`, read already."""
    leads = [
        r
        for r in referrals
        if r.role == ReferralRole.LEAD
        and r.state not in (ReferralState.RETURNED, ReferralState.CANCELLED)
    ]
    lead = max(leads, key=lambda r: (r.sent_at, r.pk), default=None)
    if lead and (lead.is_open or case.status == S.REPLIED):
        return lead
    return None


def _lock_referral(referral: Referral, seen_status: str | None) -> tuple[Case, Referral]:
    case = _lock(referral.case, seen_status)
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.state != referral.state:
        raise CaseError(_("Someone else changed this referral meanwhile. Please reload."))
    return case, locked


def _require_open(referral: Referral) -> None:
    if not referral.is_open:
        raise CaseError(
            _("The referral to %(department)s is already “%(state)s”.")
            % {"department": referral.department, "state": referral.get_state_display()}
        )


@transaction.atomic
def referral_acknowledge(*, referral: Referral, actor, seen_status=None, now=None) -> Referral:
    case, referral = _lock_referral(referral, seen_status)
    now = now or timezone.now()
    if referral.state != ReferralState.SENT:
        raise CaseError(_("Only a referral that was sent can be acknowledged."))
    _check(case, Action.ACKNOWLEDGE)
    referral.state, referral.acknowledged_at = ReferralState.ACKNOWLEDGED, now
    referral.save(update_fields=["state", "acknowledged_at"])
    _apply(case, Action.ACKNOWLEDGE, actor=actor, referral=referral, now=now)
    return referral


@transaction.atomic
def referral_reply(
    *, referral: Referral, actor, reply: str, seen_status=None, now=None
) -> Referral:
    """Record a department's reply; the lead's reply moves the case to 'replied'."""
    if not reply.strip():
        raise CaseError(_("Enter the department's reply."))
    case, referral = _lock_referral(referral, seen_status)
    now = now or timezone.now()
    _require_open(referral)
    action = Action.REPLY if referral.role == ReferralRole.LEAD else Action.CO_REPLY
    _check(case, action)
    referral.state, referral.replied_at, referral.reply = ReferralState.REPLIED, now, reply
    referral.save(update_fields=["state", "replied_at", "reply"])
    _apply(case, action, actor=actor, note=reply, referral=referral, now=now)
    return referral


@transaction.atomic
def referral_return(
    *, referral: Referral, actor, reason: str, seen_status=None, now=None
) -> Referral:
    """A department sends the case back (退回); staff then refer it again."""
    if not reason.strip():
        raise CaseError(_("Enter the reason the department gave for returning the case."))
    case, referral = _lock_referral(referral, seen_status)
    now = now or timezone.now()
    _require_open(referral)
    _check(case, Action.RETURN)
    referral.state, referral.returned_at, referral.return_reason = (
        ReferralState.RETURNED,
        now,
        reason,
    )
    referral.save(update_fields=["state", "returned_at", "return_reason"])
    _apply(case, Action.RETURN, actor=actor, note=reason, referral=referral, now=now)
    return referral


# --- more time for a department (延期) ------------------------------------------------
# A department asks for a new reply date, with a reason; the district office grants it
# (the reply is then due on the new date) or refuses it. One request waits at a time.

EXTEND = "extend"  # the department's step that asks for it


@transaction.atomic
def extension_request(
    *, referral: Referral, actor, due_on: date, reason: str, now=None
) -> Extension:
    if not reason.strip():
        raise CaseError(_("Give the reason the department needs more time."))
    case, referral = _lock_referral(referral, None)
    now = now or timezone.now()
    _require_open(referral)
    if referral.extensions.filter(state=ExtensionState.PENDING).exists():
        raise CaseError(_("A request for more time is already waiting for the office."))
    check_extension_date(referral, due_on, today=timezone.localdate(now))
    extension = Extension.objects.create(
        referral=referral,
        due_on=due_on,
        previous_due_on=referral.due_on,
        reason=reason.strip(),
        requested_by=actor,
        requested_at=now,
    )
    with translation.override(settings.LANGUAGE_CODE):
        note = _("Until %(day)s: %(reason)s") % {"day": f"{due_on:%Y-%m-%d}", "reason": reason}
    _event(case, EventKind.EXTENSION_REQUESTED, actor=actor, now=now, note=note, referral=referral)
    return extension


def _lapse_extensions(case: Case, now: datetime) -> None:
    """A request for more time still waiting when its referral has closed (answered,
    returned, or cancelled with its case) needs no decision: the office's queue keeps only
    what it can still grant. Run on every step, so that any way a referral closes is met."""
    Extension.objects.filter(referral__case=case, state=ExtensionState.PENDING).exclude(
        referral__state__in=OPEN_REFERRAL_STATES
    ).update(state=ExtensionState.LAPSED, decided_at=now)


def check_extension_date(referral: Referral, due_on: date, *, today: date) -> None:
    """A new reply date comes after the present one and is a working day within a year."""
    if due_on <= referral.due_on:
        raise CaseError(
            _("The new date must come after the present reply date, %(day)s.")
            % {"day": f"{referral.due_on:%Y-%m-%d}"}
        )
    try:
        check_due_date(due_on, today=today)
    except DueDateError as refused:
        raise CaseError(str(refused)) from refused


@transaction.atomic
def extension_decide(*, extension: Extension, actor, grant: bool, note: str = "", now=None):
    """The office's decision on a waiting request; granted, the reply is due on its date."""
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    if extension.state != ExtensionState.PENDING:
        raise CaseError(
            _("This request was already decided (“%(state)s”).")
            % {"state": extension.get_state_display()}
        )
    case, referral = _lock_referral(extension.referral, None)
    now = now or timezone.now()
    if grant:
        _require_open(referral)
        referral.due_on = extension.due_on
        referral.save(update_fields=["due_on"])
        _keep_clock(case, case.status, timezone.localdate(now))
        case.save(update_fields=["step_due_on", "next_due_on", "updated_at"])
    extension.state = ExtensionState.GRANTED if grant else ExtensionState.REFUSED
    extension.decided_by, extension.decided_at, extension.decision_note = actor, now, note
    extension.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    kind = EventKind.EXTENSION_GRANTED if grant else EventKind.EXTENSION_REFUSED
    _event(case, kind, actor=actor, now=now, note=note, referral=referral)
    return extension


# --- sharing the citizen's contact details with a department -------------------------


@transaction.atomic
def referral_share_contact(*, referral: Referral, actor, reason: str, now=None) -> Referral:
    """The office records why the department needs the citizen's contact details; its
    liaisons may then reveal them (each reveal audited). The reason is in the timeline."""
    reason = reason.strip()
    if not reason:
        raise CaseError(_("Record why the department needs the citizen's contact details."))
    case, referral = _lock_referral(referral, None)
    now = now or timezone.now()
    if not referral.is_open:
        raise CaseError(
            _("The referral is “%(state)s”: the department needs nothing more.")
            % {"state": referral.get_state_display()}
        )
    if referral.shares_contact_details:
        raise CaseError(_("The contact details are already shared with this department."))
    referral.contact_share_reason = reason
    referral.contact_shared_by, referral.contact_shared_at = actor, now
    referral.save(update_fields=["contact_share_reason", "contact_shared_by", "contact_shared_at"])
    _event(case, EventKind.CONTACT_SHARED, actor=actor, now=now, note=reason, referral=referral)
    return referral


# --- supervision (督办) ---------------------------------------------------------------
# The district office supervises open work, most often overdue: a department's referral
# (the department answers) or the case's own step (its workstation answers). A level, a
# working day to answer by and a note; one open supervision at a time of each.


@transaction.atomic
def supervision_open(
    *, case: Case, actor, level: str, due_on: date, note: str, referral=None, now=None
) -> Supervision:
    if not note.strip():
        raise CaseError(_("Say what the office asks for."))
    now = now or timezone.now()
    if referral is not None:
        if referral.case_id != case.pk:
            raise CaseError(_("This referral is not the case's."))
        case, referral = _lock_referral(referral, None)
        _require_open(referral)
        waiting = Supervision.objects.filter(referral=referral)
    else:
        case = _lock(case)
        if case.status in TERMINAL:
            raise CaseError(_("The case has ended: there is nothing left to supervise."))
        waiting = Supervision.objects.filter(case=case, referral=None)
    if waiting.filter(state=SupervisionState.OPEN).exists():
        raise CaseError(_("This work is already supervised and waits for the answer."))
    try:
        check_due_date(due_on, today=timezone.localdate(now))
    except DueDateError as refused:
        raise CaseError(str(refused)) from refused
    supervision = Supervision.objects.create(
        case=case,
        referral=referral,
        level=level,
        due_on=due_on,
        note=note.strip(),
        opened_by=actor,
        opened_at=now,
    )
    with translation.override(settings.LANGUAGE_CODE):
        event_note = _("%(level)s, answer by %(day)s: %(note)s") % {
            "level": supervision.get_level_display(),
            "day": f"{due_on:%Y-%m-%d}",
            "note": supervision.note,
        }
    _event(case, EventKind.SUPERVISED, actor=actor, now=now, note=event_note, referral=referral)
    return supervision


@transaction.atomic
def supervision_answer(*, supervision: Supervision, actor, answer: str, now=None) -> Supervision:
    """The supervised department's or workstation's answer to the office."""
    if not answer.strip():
        raise CaseError(_("Enter the answer to the office."))
    supervision = Supervision.objects.select_for_update().get(pk=supervision.pk)
    if not supervision.is_open:
        raise CaseError(_("This supervision was already answered."))
    case = _lock(supervision.case)
    now = now or timezone.now()
    supervision.state = SupervisionState.ANSWERED
    supervision.answer, supervision.answered_by, supervision.answered_at = answer, actor, now
    supervision.save(update_fields=["state", "answer", "answered_by", "answered_at"])
    _event(
        case,
        EventKind.SUPERVISION_ANSWERED,
        actor=actor,
        now=now,
        note=answer,
        referral=supervision.referral,
    )
    return supervision


def _event(case: Case, kind: str, *, actor, now, note: str, referral: Referral | None) -> None:
    """A timeline event that leaves the status as it is."""
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        at=now,
        kind=kind,
        from_status=case.status,
        to_status=case.status,
        note=note,
        referral=referral,
    )
    if note:
        search.reindex(case)


@transaction.atomic
def case_resolve(
    *, case: Case, actor, note: str, public_summary: str = "", seen_status=None, now=None
) -> Case:
    """Resolve the case; `public_summary` is what the column may publish of it, if the
    citizen consented."""
    if not note.strip():
        raise CaseError(_("Describe how the case was resolved."))
    public_summary = public_summary.strip()
    try:
        Case._meta.get_field("public_summary").run_validators(public_summary)
    except ValidationError as invalid:
        raise CaseError(" ".join(invalid.messages)) from invalid
    case = _lock(case, seen_status)
    _check(case, Action.RESOLVE)
    case.resolved_at = now = now or timezone.now()
    case.public_summary = public_summary
    return _apply(
        case,
        Action.RESOLVE,
        actor=actor,
        note=note,
        now=now,
        fields=("resolved_at", "public_summary"),
    )


def follow_up_action(satisfaction: str) -> str:
    """The step a follow-up takes: an unsatisfied citizen reopens the case (重办)."""
    return Action.REOPEN if satisfaction == Satisfaction.UNSATISFIED else Action.CLOSE


@transaction.atomic
def case_follow_up(
    *, case: Case, actor, satisfaction: str, note: str = "", seen_status=None, now=None
) -> Case:
    """Record the citizen's satisfaction: close the case, or reopen it if unsatisfied (重办)."""
    if satisfaction not in Satisfaction.values:
        raise CaseError(_("Choose how satisfied the citizen is."))
    case = _lock(case, seen_status)
    now = now or timezone.now()
    case.satisfaction = satisfaction
    action = follow_up_action(satisfaction)
    if action == Action.REOPEN:
        case.resolved_at, changed = None, "resolved_at"
    else:
        case.closed_at, changed = now, "closed_at"
    return _apply(
        case,
        action,
        actor=actor,
        note=note,
        now=now,
        fields=("satisfaction", changed),
        satisfaction=satisfaction,
    )


@transaction.atomic
def case_merge(
    *, case: Case, actor, into: Case, note: str = "", seen_status=None, now=None
) -> Case:
    if into.pk == case.pk:
        raise CaseError(_("A case cannot be merged into itself."))
    # Both rows are locked, always in the order of their keys: two merges crossing each
    # other (X into Y, Y into X) then wait for each other instead of deadlocking.
    rows = {pk: _lock_row(pk) for pk in sorted((case.pk, into.pk))}
    case = _unchanged(rows[case.pk], seen_status or case.status)
    target = rows[into.pk]
    if target.status in TERMINAL:
        raise CaseError(
            _("%(number)s is “%(status)s”; merge into an open case.")
            % {"number": target.number, "status": target.get_status_display()}
        )
    case.merged_into = target
    note = note or _("Duplicate of %(number)s") % {"number": target.number}
    return _apply(case, Action.MERGE, actor=actor, note=note, now=now, fields=("merged_into",))


@transaction.atomic
def case_reject(*, case: Case, actor, reason: str, seen_status=None, now=None) -> Case:
    if not reason.strip():
        raise CaseError(_("Give the reason the case is not accepted."))
    return _apply(_lock(case, seen_status), Action.REJECT, actor=actor, note=reason, now=now)


@transaction.atomic
def case_withdraw(*, case: Case, actor, note: str = "", seen_status=None, now=None) -> Case:
    return _apply(_lock(case, seen_status), Action.WITHDRAW, actor=actor, note=note, now=now)


@transaction.atomic
def case_note(
    *, case: Case, actor, note: str, for_departments=False, seen_status=None, now=None
) -> Case:
    """A handling note; `for_departments` shows it to the liaisons of the departments the
    case is referred to."""
    if not note.strip():
        raise CaseError(_("The note is empty."))
    if for_departments and _holds_contact_details(note):
        raise CaseError(_("A note for the departments holds no phone, address or ID number."))
    return _apply(
        _lock(case, seen_status),
        Action.NOTE,
        actor=actor,
        note=note,
        now=now,
        for_departments=for_departments,
    )


# --- corrections to the record ------------------------------------------------
# They leave the status as it is: staff correct what was logged, give the case its
# handling members, or send it to the workstation it belongs to. Like the steps, each
# locks the case, refuses a stale page, checks its guard and writes a timeline event,
# kept in the office's language whoever wrote it. An ended case is kept as it ended.


class Correction(models.TextChoices):
    EDIT = "edit", gettext_lazy("Correct the details")
    ASSIGN = "assign", gettext_lazy("Change the handling members")
    TRANSFER = "transfer", gettext_lazy("Transfer to another workstation")


def can_correct(case: Case) -> bool:
    return case.status not in TERMINAL


def _lock_to_correct(case: Case, seen_status: str | None) -> Case:
    locked = _lock(case, seen_status)
    if not can_correct(locked):
        raise CaseError(
            _("The case has ended (“%(status)s”): its record is kept as it was.")
            % {"status": locked.get_status_display()}
        )
    return locked


def _record(
    case: Case, kind: str, *, actor, note: str, now: datetime | None, fields: Iterable[str] = ()
) -> Case:
    """Save the corrected `fields` of a locked case and write the correction's event."""
    case.save(update_fields=["updated_at", *fields])
    tallies.move(case)  # a category or workstation corrected
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        at=now or timezone.now(),
        kind=kind,
        from_status=case.status,
        to_status=case.status,
        note=note,
    )
    if note:
        search.reindex(case)  # the note, and any title or description corrected
    return case


def _holds_contact_details(text: str) -> bool:
    try:
        no_contact_details(text)
    except ValidationError:
        return True
    return False


def _edit_note(case: Case, title: str, category: str, description: str) -> str:
    changes = []
    if title != case.title:
        if _holds_contact_details(case.title) or _holds_contact_details(title):
            # Corrected to take a phone or ID number out: the timeline must not keep it.
            changes.append(_("Title changed (it held a number the timeline does not keep)."))
        else:
            changes.append(_("Title: “%(old)s” → “%(new)s”.") % {"old": case.title, "new": title})
    if category != case.category:
        changes.append(
            _("Category: %(old)s → %(new)s.")
            % {"old": case.get_category_display(), "new": CaseCategory(category).label}
        )
    if description != case.description:
        # What the citizen typed may describe them: the timeline says only that it changed.
        changes.append(_("Description changed."))
    return " ".join(changes)


_EDITED = ("title", "category", "description")


@transaction.atomic
def case_edit(
    *,
    case: Case,
    actor,
    title: str,
    category: str,
    description: str,
    seen_status=None,
    now=None,
) -> Case:
    """Correct a case's title, category and description."""
    case = _lock_to_correct(case, seen_status)
    title = title.strip()
    with translation.override(settings.LANGUAGE_CODE):
        note = _edit_note(case, title, category, description)
    if not note:
        raise CaseError(_("Nothing was changed."))
    case.title, case.category, case.description = title, category, description
    try:
        case.clean_fields(exclude=[f.name for f in Case._meta.fields if f.name not in _EDITED])
    except ValidationError as invalid:
        raise CaseError(" ".join(invalid.messages)) from invalid
    return _record(case, EventKind.EDITED, actor=actor, note=note, now=now, fields=_EDITED)


def _names(members: Iterable[Member]) -> str:
    return "、".join(sorted(m.name for m in members))


@transaction.atomic
def case_assign(
    *, case: Case, actor, members: Iterable[Member], seen_status=None, now=None
) -> Case:
    """Set the members handling the case: they see it from then on, and a member taken
    off no longer does."""
    case = _lock_to_correct(case, seen_status)
    chosen = {m.pk: m for m in members}
    current = {m.pk: m for m in case.handling_members.all()}
    added = [chosen[pk] for pk in chosen.keys() - current.keys()]
    removed = [current[pk] for pk in current.keys() - chosen.keys()]
    if not added and not removed:
        raise CaseError(_("The handling members are unchanged."))
    inactive = [m for m in added if not m.is_active]
    if inactive:
        raise CaseError(_("%(names)s no longer take cases.") % {"names": _names(inactive)})
    case.handling_members.set(chosen.values())
    with translation.override(settings.LANGUAGE_CODE):
        parts = [_("Added: %(names)s.") % {"names": _names(added)}] if added else []
        if removed:
            parts.append(_("Removed: %(names)s.") % {"names": _names(removed)})
    return _record(case, EventKind.ASSIGNED, actor=actor, note=" ".join(parts), now=now)


@transaction.atomic
def case_transfer(
    *, case: Case, actor, workstation: Workstation, reason: str, seen_status=None, now=None
) -> Case:
    """Send the case to another workstation, whose staff handle it from then on; its old
    workstation's staff no longer see it. The visit goes with it when it raised no other
    case (an online submission); otherwise it stays where the citizen was received."""
    if not reason.strip():
        raise CaseError(_("Give the reason for the transfer."))
    case = _lock_to_correct(case, seen_status)
    if workstation.pk == case.workstation_id:
        raise CaseError(_("The case is already at %(workstation)s.") % {"workstation": workstation})
    if not workstation.is_active:
        raise CaseError(_("%(workstation)s is closed.") % {"workstation": workstation})
    source = case.workstation
    visit = Visit.objects.select_for_update().get(pk=case.visit_id)
    if not visit.cases.exclude(pk=case.pk).exists():
        tallies.count_visit(visit, -1)
        visit.workstation = workstation
        visit.save(update_fields=["workstation"])
        tallies.count_visit(visit)
    case.workstation = workstation
    with translation.override(settings.LANGUAGE_CODE):
        note = _("From %(source)s to %(target)s: %(reason)s") % {
            "source": source,
            "target": workstation,
            "reason": reason.strip(),
        }
    return _record(
        case, EventKind.TRANSFERRED, actor=actor, note=note, now=now, fields=("workstation",)
    )


# --- bulk loading ---------------------------------------------------------------
# Performance data (`seed_demo --scale`) is written with bulk_create, without a
# transaction per step; its statuses still come from this table, and only from here.


def replay(opening: str, actions: Iterable[str]) -> list[str]:
    """The status after `opening` and after each of `actions`, as the table has them;
    a step the table forbids raises CaseError."""
    status = TRANSITIONS[opening][NEW]
    path = [status]
    for action in actions:
        status = _after(status, action)
        path.append(status)
    return path


def case_bulk_play(case: Case, opening: str, actions: Iterable[str]) -> list[str]:
    """Give an unsaved case, built for a bulk load, the status its story leads to by the
    table. Returns the status after each step, for the events the loader writes."""
    if case.pk is not None:
        raise ValueError("case_bulk_play takes an unsaved case")
    path = replay(opening, actions)
    case.status = path[-1]
    return path
