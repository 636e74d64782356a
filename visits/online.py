"""The citizen's side of a case, online: submitting an opinion, looking it up with the
tracking number and lookup code, adding information and giving the follow-up.

The lookup code is random (never derived from the tracking number), shown once on the
receipt and stored only as a password hash. A wrong code and an unknown number look the
same to the caller, in answer and in time.
"""

import functools
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.hashers import check_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workstations.models import Workstation

from .lifecycle import Action, CaseError, case_follow_up, case_note, case_open, citizen_actions
from .lookup_codes import lookup_code_hash, new_lookup_code
from .models import Case, CaseEvent, EventKind, Visit
from .services import DuplicateSubmission, visit_save

TITLE_LENGTH = 40
# Events whose text the citizen reads: the departments' replies and the outcome.
# Staff notes, consultations and referral instructions stay internal.
PUBLIC_TEXT_KINDS = frozenset({EventKind.REPLIED, EventKind.RESOLVED, EventKind.REJECTED})
# Steps the citizen takes online: their additions and their follow-up, with its comment.
CITIZEN_KINDS = frozenset({EventKind.NOTE, EventKind.CLOSED, EventKind.REOPENED})


@dataclass(frozen=True)
class Receipt:
    number: str
    lookup_code: str


@dataclass(frozen=True)
class Submission:
    workstation: Workstation
    name: str
    phone: str
    category: str
    text: str
    consent_to_publish: bool
    submission_id: uuid.UUID
    sms_consent: bool = False
    consent_version: str = ""  # of the wording agreed to (public.forms.CONSENT_VERSION)


def _title(text: str) -> str:
    first_line = text.strip().splitlines()[0].strip()
    return first_line if len(first_line) <= TITLE_LENGTH else first_line[: TITLE_LENGTH - 1] + "…"


def online_submit(
    submission: Submission, *, now: datetime | None = None, lookup_code: str = ""
) -> Receipt:
    """Save the citizen's opinion as a visit and a case 'submitted online', waiting for the
    workstation's staff to accept or reject it. A second call with the same submission_id
    raises DuplicateSubmission and saves nothing. Only the demo passes a `lookup_code`,
    so that its printed code keeps working."""
    now = now or timezone.now()
    code = lookup_code or new_lookup_code()
    visit = Visit(
        workstation=submission.workstation,
        visited_at=now,
        channel=Visit.Channel.ONLINE,
        visitor_name=submission.name,
        visitor_phone=submission.phone,
        consent_to_publish=submission.consent_to_publish,
        sms_consent=submission.sms_consent and bool(submission.phone),
        privacy_consent_at=now,
        privacy_consent_version=submission.consent_version,
        submission_id=submission.submission_id,
    )
    try:
        with transaction.atomic():
            visit.full_clean(validate_unique=False)
            visit_save(visit)
            case = Case(
                workstation=submission.workstation,
                visit=visit,
                title=_title(submission.text),
                description=submission.text,
                category=submission.category,
                lookup_code=lookup_code_hash(code),
            )
            case.issued_lookup_code = code
            case = case_open(case=case, actor=None, action=Action.SUBMIT, now=now)
    except IntegrityError:
        existing = Visit.objects.filter(submission_id=submission.submission_id).first()
        if existing is None:
            raise
        raise DuplicateSubmission(existing) from None
    return Receipt(number=case.number, lookup_code=code)


@functools.cache
def _reference_hash() -> str:
    # Hashed with the current hasher settings, as every new lookup code is.
    return lookup_code_hash(new_lookup_code())


def case_lookup(number: str, code: str) -> Case | None:
    """The case with this tracking number if the code is its lookup code, else None."""
    case = (
        Case.objects.select_related("workstation")
        .exclude(lookup_code="")
        .filter(number=number.strip().upper())
        .first()
    )
    if case is None:
        # Spend the time a real check takes, so timing does not tell numbers apart.
        check_password(code, _reference_hash())
        return None
    return case if check_password(code.strip().upper(), case.lookup_code) else None


@dataclass(frozen=True)
class PublicEvent:
    at: datetime
    label: str
    text: str
    by_citizen: bool
    satisfaction: str = ""  # the label of the satisfaction given at a follow-up


def public_timeline(case: Case, *, own: bool = True) -> list[PublicEvent]:
    """The steps a citizen sees: every step's name and date, the text of replies and the
    outcome, what they added themselves, and the satisfaction of each follow-up with
    their own comment (a comment staff noted down stays internal).

    For another citizen's case (`own=False`: the one theirs was merged into) only each
    step's name and date: nothing anyone wrote, nothing that citizen added or answered."""
    events = []
    for event in CaseEvent.objects.filter(case=case).order_by("at", "pk"):
        by_citizen = event.actor_id is None and event.kind in CITIZEN_KINDS
        if event.kind == EventKind.NOTE and not (by_citizen and own):
            continue
        if not own:
            events.append(PublicEvent(event.at, event.get_kind_display(), "", False))
            continue
        text = event.note if by_citizen or event.kind in PUBLIC_TEXT_KINDS else ""
        satisfaction = event.get_satisfaction_display() if event.satisfaction else ""
        events.append(
            PublicEvent(event.at, event.get_kind_display(), text, by_citizen, satisfaction)
        )
    return events


# More hops than any real chain of merges; a guard, since a merge target must be open.
MERGE_HOPS = 20


def merged_destination(case: Case) -> Case | None:
    """The case a merged case is followed as: the one it was merged into, or, if that
    one was merged in turn, the case at the end of the chain. None if not merged."""
    target = case
    for _hop in range(MERGE_HOPS):
        if target.merged_into_id is None:
            break
        target = Case.objects.select_related("workstation").get(pk=target.merged_into_id)
    return None if target is case else target


def _require(case: Case, action: str) -> None:
    if action not in citizen_actions(case):
        raise CaseError(
            _("This is not possible while the case is “%(status)s”.")
            % {"status": case.get_status_display()}
        )


def citizen_add(case: Case, text: str, *, now: datetime | None = None) -> Case:
    """The citizen adds information (追加) to their open case."""
    _require(case, Action.NOTE)
    return case_note(case=case, actor=None, note=text, now=now)


def citizen_follow_up(
    case: Case, satisfaction: str, comment: str = "", *, now: datetime | None = None
) -> Case:
    """The citizen gives their satisfaction with a resolved case themselves."""
    _require(case, Action.CLOSE)
    return case_follow_up(case=case, actor=None, satisfaction=satisfaction, note=comment, now=now)


def stop_messages(case: Case) -> None:
    """The citizen stops the progress messages: no SMS is sent from now on (the delivery
    reads the consent again before each)."""
    Visit.objects.filter(pk=case.visit_id).update(sms_consent=False)


def stop_messages_to(phone: str) -> int:
    """The citizen at this phone stops the progress messages (they replied "退订" to one):
    every visit with the phone stops; how many had agreed."""
    return Visit.objects.filter(visitor_phone=phone, sms_consent=True).update(sms_consent=False)
