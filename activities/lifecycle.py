"""The proposal lifecycle: statuses, the table of allowed steps, one function per step.

This module is the only writer of `Proposal.status` and of the office's decisions on a
proposal (dates, reason, merge target, reply, class, satisfaction, rating, adoption).
A draft is submitted; the committee office accepts it for filing (立案), does not
accept it (不予立案, with the reason the member sees) or merges it into another one
(并案). An accepted proposal then gets its departments' reply with its class (A/B/C),
the proposer's satisfaction, and may be rated excellent; a public-opinion report
accepted may be adopted. Each step locks the row, checks the table and its guard,
refuses a stale page (`seen_status`), saves the fields it changes and writes one
`ProposalEvent` (its notes in the office's language), all in one transaction; a refusal raises ProposalError and changes
nothing. Permission to act is checked by the callers (admin), not here.
"""

from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from visits.models import Satisfaction as SatisfactionChoice
from workstations.models import Department

from .models import (
    Proposal,
    ProposalEvent,
    ProposalKind,
    ProposalStatus,
    ProposalStep,
    ReplyClass,
)

S = ProposalStatus
Step = ProposalStep

# step -> {status before: status after}; a status missing from a step's map refuses it.
TRANSITIONS: dict[str, dict[str, str]] = {
    Step.SUBMIT: {S.DRAFT: S.SUBMITTED},
    Step.ACCEPT: {S.SUBMITTED: S.ACCEPTED},
    Step.DECLINE: {S.SUBMITTED: S.NOT_ACCEPTED},
    Step.MERGE: {S.SUBMITTED: S.MERGED},
    # What follows acceptance keeps the status: the reply, how the proposer took it,
    # the rating, the adoption of a public-opinion report.
    Step.REPLY: {S.ACCEPTED: S.ACCEPTED},
    Step.SATISFACTION: {S.ACCEPTED: S.ACCEPTED},
    Step.EXCELLENT: {S.ACCEPTED: S.ACCEPTED},
    Step.ADOPT: {S.ACCEPTED: S.ACCEPTED},
}


class ProposalError(Exception):
    """A step that cannot be taken; its message is meant for the user."""


def can(proposal: Proposal, step: str) -> bool:
    """Whether the table and the step's guard allow it now (the function checks again)."""
    if proposal.status not in TRANSITIONS[step]:
        return False
    if step == Step.SATISFACTION:
        return bool(proposal.reply)
    if step == Step.EXCELLENT:
        return proposal.kind == ProposalKind.PROPOSAL and not proposal.is_excellent
    if step == Step.ADOPT:
        return proposal.kind == ProposalKind.OPINION and not proposal.is_adopted
    return True


def allowed_steps(proposal: Proposal) -> list[str]:
    return [step for step in Step.values if can(proposal, step)]


def _lock_row(pk: int) -> Proposal:
    return Proposal.objects.select_for_update().get(pk=pk)


def _unchanged(locked: Proposal, seen_status: str) -> Proposal:
    """Refuse when the proposal is no longer in the status the user saw (a stale page)."""
    if locked.status != seen_status:
        raise ProposalError(
            _(
                "Someone else changed this proposal meanwhile (it is now “%(status)s”). "
                "Please reload."
            )
            % {"status": locked.get_status_display()}
        )
    return locked


def _lock(proposal: Proposal, seen_status: str | None) -> Proposal:
    """Lock the row and make sure nobody moved it since the user saw it in `seen_status`
    (by default, the status of the caller's copy)."""
    return _unchanged(_lock_row(proposal.pk), seen_status or proposal.status)


def _check(proposal: Proposal, step: str) -> str:
    after = TRANSITIONS[step].get(proposal.status)
    if after is None:
        raise ProposalError(
            _("“%(step)s” is not possible while the proposal is “%(status)s”.")
            % {"step": Step(step).label, "status": proposal.get_status_display()}
        )
    return after


def _apply(
    proposal: Proposal,
    step: str,
    *,
    actor,
    now: datetime | None,
    note: str = "",
    **changes,
) -> Proposal:
    """Move a locked proposal by `step` with the `changes` (field=value) the step makes,
    save the status and those fields, and write the event."""
    before = proposal.status
    proposal.status = _check(proposal, step)
    for name, value in changes.items():
        setattr(proposal, name, value)
    proposal.save(update_fields=["status", *changes])
    ProposalEvent.objects.create(
        proposal=proposal,
        step=step,
        from_status=before,
        to_status=proposal.status,
        actor=actor,
        at=now or timezone.now(),
        note=note,
    )
    return proposal


def _day(now: datetime | None) -> date:
    return timezone.localdate(now or timezone.now())


def _decide(proposal: Proposal, step: str, *, actor, now, note: str, **decision) -> Proposal:
    """The office's decision on a submitted proposal (accept, decline, merge): `_apply`,
    with the decision dated the day of `now`."""
    return _apply(proposal, step, actor=actor, now=now, note=note, decided_on=_day(now), **decision)


# Every step takes `seen_status`, the status the user saw the proposal in, and `now`
# (for tests and the demo): the day it stamps is the local date of `now`.


@transaction.atomic
def proposal_submit(
    *, proposal: Proposal, actor, note: str = "", seen_status=None, now=None
) -> Proposal:
    """Submit a draft to the committee office; it is filed on the day of `now`."""
    proposal = _lock(proposal, seen_status)
    _check(proposal, Step.SUBMIT)
    return _apply(proposal, Step.SUBMIT, actor=actor, now=now, note=note, submitted_on=_day(now))


@transaction.atomic
def proposal_accept(
    *,
    proposal: Proposal,
    actor,
    lead_department: Department | None = None,
    note: str = "",
    seen_status=None,
    now=None,
) -> Proposal:
    """Accept for filing (立案), sending it to its lead department when one is named."""
    proposal = _lock(proposal, seen_status)
    _check(proposal, Step.ACCEPT)
    if lead_department is not None and not lead_department.is_active:
        raise ProposalError(
            _("%(department)s no longer takes proposals.") % {"department": lead_department}
        )
    return _decide(
        proposal, Step.ACCEPT, actor=actor, now=now, note=note, lead_department=lead_department
    )


@transaction.atomic
def proposal_decline(
    *, proposal: Proposal, actor, reason: str, seen_status=None, now=None
) -> Proposal:
    """Do not accept it (不予立案): the member sees the reason."""
    reason = reason.strip()
    if not reason:
        raise ProposalError(_("Give the reason the proposal is not accepted."))
    proposal = _lock(proposal, seen_status)
    _check(proposal, Step.DECLINE)
    return _decide(
        proposal, Step.DECLINE, actor=actor, now=now, note=reason, rejection_reason=reason
    )


@transaction.atomic
def proposal_merge(
    *, proposal: Proposal, actor, into: Proposal, note: str = "", seen_status=None, now=None
) -> Proposal:
    """Merge it into another proposal on the same matter (并案), submitted or accepted."""
    if into.pk == proposal.pk:
        raise ProposalError(_("A proposal cannot be merged into itself."))
    # Both rows locked in the order of their keys, so two crossing merges cannot deadlock.
    rows = {pk: _lock_row(pk) for pk in sorted((proposal.pk, into.pk))}
    proposal = _unchanged(rows[proposal.pk], seen_status or proposal.status)
    target = rows[into.pk]
    _check(proposal, Step.MERGE)
    if target.status not in (S.SUBMITTED, S.ACCEPTED):
        raise ProposalError(
            _("“%(title)s” is “%(status)s”: merge into a submitted or accepted proposal.")
            % {"title": target.title, "status": target.get_status_display()}
        )
    with translation.override(settings.LANGUAGE_CODE):
        note = note.strip() or _("Merged into “%(title)s”") % {"title": target.title}
    return _decide(proposal, Step.MERGE, actor=actor, now=now, note=note, merged_into=target)


@transaction.atomic
def proposal_reply(
    *, proposal: Proposal, actor, reply: str, reply_class: str, seen_status=None, now=None
) -> Proposal:
    """Record the departments' reply and its class: A solved or adopted, B being solved,
    C planned for later. A later reply replaces the earlier one; both stay in the timeline."""
    reply = reply.strip()
    if not reply:
        raise ProposalError(_("Enter the departments' reply."))
    if reply_class not in ReplyClass.values:
        raise ProposalError(_("The implementation class is A, B or C."))
    proposal = _lock(proposal, seen_status)
    _check(proposal, Step.REPLY)
    with translation.override(settings.LANGUAGE_CODE):
        label = str(ReplyClass(reply_class).label)
    return _apply(
        proposal,
        Step.REPLY,
        actor=actor,
        now=now,
        note=f"{label}：{reply}",
        reply=reply,
        reply_class=reply_class,
    )


@transaction.atomic
def proposal_record_satisfaction(
    *, proposal: Proposal, actor, satisfaction: str, note: str = "", seen_status=None, now=None
) -> Proposal:
    """Record how satisfied the lead member is with the reply."""
    if satisfaction not in SatisfactionChoice.values:
        raise ProposalError(_("Choose how satisfied the proposer is."))
    proposal = _lock(proposal, seen_status)
    _check(proposal, Step.SATISFACTION)
    if not proposal.reply:
        raise ProposalError(_("Record the reply before the proposer's satisfaction with it."))
    with translation.override(settings.LANGUAGE_CODE):
        label = str(SatisfactionChoice(satisfaction).label)
    return _apply(
        proposal,
        Step.SATISFACTION,
        actor=actor,
        now=now,
        note=f"{label}：{note.strip()}" if note.strip() else label,
        proposer_satisfaction=satisfaction,
    )


@transaction.atomic
def proposal_rate_excellent(
    *, proposal: Proposal, actor, note: str = "", seen_status=None, now=None
) -> Proposal:
    """Rate an accepted proposal excellent (优秀提案)."""
    proposal = _lock(proposal, seen_status)
    _check(proposal, Step.EXCELLENT)
    if proposal.kind != ProposalKind.PROPOSAL:
        raise ProposalError(_("Only a proposal is rated excellent; a report is adopted."))
    if proposal.is_excellent:
        raise ProposalError(_("The proposal is already rated excellent."))
    return _apply(proposal, Step.EXCELLENT, actor=actor, now=now, note=note, is_excellent=True)


@transaction.atomic
def proposal_adopt(
    *, proposal: Proposal, actor, note: str = "", seen_status=None, now=None
) -> Proposal:
    """Record that an accepted public-opinion report was adopted (采用)."""
    proposal = _lock(proposal, seen_status)
    _check(proposal, Step.ADOPT)
    if proposal.kind != ProposalKind.OPINION:
        raise ProposalError(_("Only a public-opinion report is adopted."))
    if proposal.is_adopted:
        raise ProposalError(_("The report is already recorded as adopted."))
    return _apply(proposal, Step.ADOPT, actor=actor, now=now, note=note, is_adopted=True)


# The function of each step, for callers that offer every step (admin).
FUNCTIONS = {
    Step.SUBMIT: proposal_submit,
    Step.ACCEPT: proposal_accept,
    Step.DECLINE: proposal_decline,
    Step.MERGE: proposal_merge,
    Step.REPLY: proposal_reply,
    Step.SATISFACTION: proposal_record_satisfaction,
    Step.EXCELLENT: proposal_rate_excellent,
    Step.ADOPT: proposal_adopt,
}
