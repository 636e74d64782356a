"""Removing a citizen's personal data from the visits of cases that have ended (PIPL
art. 19 and 47): by the retention command once the period is over, or at the citizen's
request (privacy). The visitor's name becomes a placeholder, the phone and the address
are emptied, SMS consent is withdrawn, phone numbers are scrubbed from the free text
that can be rewritten, and the visit is stamped `anonymised_at`, so that a second run
finds nothing. The cases, their statuses, timelines and tallies stay as they are: the
figures and the members' points are counted from them.

The timeline (CaseEvent) is append-only and keeps its notes; the search index is written
again from them with the phone numbers scrubbed, so that a number no longer finds the
case. Writes in bulk, inside the caller's transaction.
"""

import re
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from . import search
from .lifecycle import TERMINAL
from .models import Case, CaseEvent, CaseSearchText, Referral, Visit

PLACEHOLDER_NAME = "（已匿名）"
SCRUBBED = "***"

# A mainland mobile (13812345678, 138 1234 5678, +86 138-1234-5678) or a landline with
# its area code (029-87654321): digits not part of a longer number.
PHONE_PATTERN = re.compile(
    r"(?<![0-9０-９])(?:(?:\+|＋)?86[\s-]?)?1[3-9][0-9](?:[\s-]?[0-9]{4}){2}(?![0-9０-９])"
    r"|(?<![0-9０-９])0[1-9][0-9]{1,2}[\s-]?[0-9]{7,8}(?![0-9０-９])"
)


@dataclass(frozen=True)
class Anonymised:
    """How many rows of each kind an anonymisation changed (or would change)."""

    visits: int = 0
    cases: int = 0


def scrub(text: str) -> str:
    """The text with every phone number in it replaced by ***."""
    return PHONE_PATTERN.sub(SCRUBBED, text)


def _ended(cutoff) -> Exists:
    """The case (the outer query's) entered an end status before `cutoff`: the end
    statuses are final, so its first step into one is when it ended."""
    return Exists(
        CaseEvent.objects.filter(case=OuterRef("pk"), to_status__in=TERMINAL, at__lt=cutoff)
    )


def visits_ended(*, before=None) -> QuerySet[Visit]:
    """Visits not yet anonymised whose cases have all ended (before `before`, if given):
    a visit with one case still open, or ended since, keeps its visitor's details."""
    needed = ~Q(status__in=TERMINAL)
    if before is not None:
        needed |= ~_ended(before)
    still_needed = Case.objects.filter(needed, visit=OuterRef("pk"))
    return Visit.objects.filter(
        Exists(Case.objects.filter(visit=OuterRef("pk"))),
        ~Exists(still_needed),
        anonymised_at__isnull=True,
    )


def visits_count(visits: QuerySet[Visit]) -> Anonymised:
    """What `visits_anonymise` would change, changing nothing."""
    return Anonymised(visits=visits.count(), cases=Case.objects.filter(visit__in=visits).count())


def visits_anonymise(visits: QuerySet[Visit], *, now=None) -> tuple[Anonymised, list[int]]:
    """Anonymise the visits and scrub their cases; the counts, and the ids of the cases
    (whose notifications the caller removes). In the caller's transaction."""
    visit_ids = list(visits.select_for_update().values_list("pk", flat=True))
    case_ids = list(Case.objects.filter(visit__in=visit_ids).values_list("pk", flat=True))
    _scrub_visits(visit_ids, now=now or timezone.now())
    _scrub_cases(case_ids)
    _scrub_replies(case_ids)
    _reindex(case_ids)
    return Anonymised(visits=len(visit_ids), cases=len(case_ids)), case_ids


def _scrub_visits(visit_ids: list[int], *, now) -> None:
    summaries = [
        Visit(pk=pk, summary=scrub(summary))
        for pk, summary in Visit.objects.filter(pk__in=visit_ids).values_list("pk", "summary")
        if scrub(summary) != summary
    ]
    Visit.objects.bulk_update(summaries, ["summary"], batch_size=500)
    Visit.objects.filter(pk__in=visit_ids).update(
        visitor_name=PLACEHOLDER_NAME,
        visitor_phone="",
        visitor_address="",
        # update() runs no pre_save: the lookup hash is emptied with the number.
        visitor_id_number="",
        visitor_id_number_hash="",
        sms_consent=False,
        anonymised_at=now,
    )


def _scrub_cases(case_ids: list[int]) -> None:
    """Phone numbers out of the title and the description; the lookup code forgotten,
    so the case can no longer be followed online with it."""
    rows = Case.objects.filter(pk__in=case_ids).values_list("pk", "title", "description")
    Case.objects.bulk_update(
        [
            Case(pk=pk, title=scrub(title), description=scrub(description))
            for pk, title, description in rows
            if (scrub(title), scrub(description)) != (title, description)
        ],
        ["title", "description"],
        batch_size=500,
    )
    Case.objects.filter(pk__in=case_ids).exclude(lookup_code="").update(lookup_code="")


def _scrub_replies(case_ids: list[int]) -> None:
    replies = Referral.objects.filter(case__in=case_ids).exclude(reply="")
    changed = [
        Referral(pk=pk, reply=scrub(reply))
        for pk, reply in replies.values_list("pk", "reply")
        if scrub(reply) != reply
    ]
    Referral.objects.bulk_update(changed, ["reply"], batch_size=500)


def _reindex(case_ids: list[int]) -> None:
    """The cases' search rows written again, the notes' phone numbers scrubbed."""
    notes: dict[int, list[str]] = {}
    held = CaseEvent.objects.filter(case__in=case_ids).exclude(note="").order_by("pk")
    for case_id, note in held.values_list("case_id", "note"):
        notes.setdefault(case_id, []).append(scrub(note))
    cases = Case.objects.filter(pk__in=case_ids).only("number", "title", "description")
    CaseSearchText.objects.filter(case__in=case_ids).delete()
    search.index_many([(c.pk, search.text_of(c, notes.get(c.pk, ()))) for c in cases])
