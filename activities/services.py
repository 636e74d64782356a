"""Rules for recording activities and proposals. Each writer checks its input, runs in one
transaction and saves nothing when it refuses (a `ValidationError` with a message per field).

The points ledger scores the saved rows on its own (signals, on commit); nothing here
touches it.
"""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from members.models import Member
from visits.lifecycle import case_note
from visits.models import Case
from workstations import roles
from workstations.models import Workstation

from .models import Activity, CoSignature, Proposal, ProposalKind, ProposalStatus


class DuplicateDraft(Exception):
    """The case already has a draft of this kind with this title (a form sent twice)."""

    def __init__(self, proposal: Proposal):
        super().__init__(proposal.title)
        self.proposal = proposal


def check_organiser(
    organiser: AbstractBaseUser | None, workstations: Iterable[Workstation]
) -> None:
    """Refuse an organiser who is neither a district administrator nor staff of every
    chosen workstation: whoever organised an activity records it, for their own
    workstations only."""
    if organiser is None:
        raise ValidationError({"organiser": _("Choose the organiser.")})
    if roles.is_administrator(organiser):
        return
    chosen = {w.pk for w in workstations}
    outside = chosen - roles.staffed_workstation_ids(organiser)
    if outside:
        names = "、".join(
            sorted(w.name for w in Workstation.objects.filter(pk__in=outside).only("name"))
        )
        raise ValidationError(
            {
                "organiser": _(
                    "%(user)s is not staff of %(workstations)s: the organiser records "
                    "activities of their own workstations only."
                )
                % {"user": organiser.get_username(), "workstations": names}
            }
        )


@transaction.atomic
def activity_record(
    *,
    activity: Activity,
    workstations: Iterable[Workstation],
    participants: Iterable[Member] = (),
    organiser: AbstractBaseUser,
) -> Activity:
    """Save a new activity organised by `organiser` at `workstations`, with who took part."""
    workstations = list(workstations)
    if not workstations:
        raise ValidationError({"workstations": _("Choose at least one workstation.")})
    check_organiser(organiser, workstations)
    activity.organiser = organiser
    activity.full_clean(exclude=["workstations", "participants"])
    activity.save()
    activity.workstations.set(workstations)
    activity.participants.set(list(participants))
    return activity


@transaction.atomic
def activity_attendance(*, activity: Activity, participants: Iterable[Member]) -> Activity:
    """Record which members took part (replacing the previous list)."""
    activity.participants.set(list(participants))
    return activity


def proposal_check(proposal: Proposal, cosigners: Iterable[Member] = ()) -> None:
    """Refuse a proposal without a lead, with a reply class outside A/B/C, or with the
    lead (or anyone twice) among its co-signers. Raises ValidationError; saves nothing."""
    errors: dict[str, list[str]] = {}
    if proposal.lead_id is None:
        errors.setdefault("lead", []).append(_("Choose the lead member."))
    try:
        proposal.full_clean(exclude=["lead"])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    seen: set[int] = set()
    for member in cosigners:
        if member.pk == proposal.lead_id:
            errors.setdefault("cosigners", []).append(
                _("The lead member cannot also be a co-signer.")
            )
        elif member.pk in seen:
            errors.setdefault("cosigners", []).append(
                _("%(name)s is listed twice as a co-signer.") % {"name": member.name}
            )
        seen.add(member.pk)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def proposal_save(*, proposal: Proposal, cosigners: Iterable[Member] = ()) -> Proposal:
    """Save a proposal and invite its co-signers, after `proposal_check`."""
    cosigners = list(cosigners)
    proposal_check(proposal, cosigners)
    proposal.save()
    for member in cosigners:
        CoSignature.objects.get_or_create(proposal=proposal, member=member)
    return proposal


@transaction.atomic
def proposal_draft_from_case(
    *, case: Case, actor: AbstractBaseUser, kind: str, title: str, lead: Member | None
) -> Proposal:
    """Turn a case into a draft proposal (or public-opinion report) led by `lead`, linked to
    the case both ways, with a note on the case's timeline. The same draft sent twice
    raises DuplicateDraft naming the first one; nothing is saved then."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    title = title.strip()
    existing = (
        Proposal.objects.filter(cases=locked, kind=kind, title=title, status=ProposalStatus.DRAFT)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        raise DuplicateDraft(existing)
    proposal = Proposal(kind=kind, title=title, lead=lead)  # a draft, as every new one
    proposal_check(proposal)
    proposal.save()
    proposal.cases.add(locked)
    label = (
        _("Drafted public-opinion report: %(title)s")
        if kind == ProposalKind.OPINION
        else _("Drafted proposal: %(title)s")
    )
    # Refused, and nothing saved, if someone moved the case since the caller read it.
    case_note(case=locked, actor=actor, note=label % {"title": title}, seen_status=case.status)
    return proposal
