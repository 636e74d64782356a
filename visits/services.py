"""Logging a visit and the issues it raises, in one transaction."""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from members.models import Member

from . import tallies
from .lifecycle import Action, case_open
from .lookup_codes import lookup_code_hash, new_lookup_code
from .models import Case, Visit


@dataclass
class Issue:
    """One issue a visit raised: followed as a case, or answered on the spot."""

    title: str
    category: str
    description: str = ""
    answer: str = ""  # when answered on the spot (当场答复)
    satisfaction: str = ""
    handling_members: list[Member] = field(default_factory=list)

    @property
    def answered_on_spot(self) -> bool:
        return bool(self.answer.strip())


@dataclass(frozen=True)
class LoggedVisit:
    visit: Visit
    cases: list[Case]
    # Tracking number -> lookup code of each case to follow, in clear only here: for the
    # receipt slip, shown once.
    lookup_codes: dict[str, str]


@transaction.atomic
def visit_save(visit: Visit) -> Visit:
    """Save a visit, new or corrected, and count it in the figures' tallies (a corrected
    one moves from the row it counted in): how every visit is written."""
    if visit.pk is not None:
        tallies.count_visit(Visit.objects.select_for_update().get(pk=visit.pk), -1)
    visit.save()
    tallies.count_visit(visit)
    return visit


class DuplicateSubmission(Exception):
    def __init__(self, visit: Visit):
        self.visit = visit
        super().__init__(f"visit {visit.pk} was already logged")


def visit_log(
    *, visit: Visit, receiving_members: list[Member], issues: list[Issue], actor, now=None
) -> LoggedVisit:
    """Save a new visit with its receiving members and open a case per issue; each case
    to follow gets a lookup code, so that the citizen follows it online like one who
    submitted online.

    A form submitted twice carries the same submission_id: the second call raises
    DuplicateSubmission with the visit the first one saved, and saves nothing.
    """
    # Answered on the spot, a case is closed at the desk: nothing to follow online.
    codes = ["" if issue.answered_on_spot else new_lookup_code() for issue in issues]
    # Hashed before the transaction: a password hash takes a good part of a second, which
    # the other writers should not wait for.
    hashed = [(code, lookup_code_hash(code) if code else "") for code in codes]
    try:
        with transaction.atomic():
            visit.created_by = actor
            # The database, not a racy pre-check, decides whether this is a duplicate.
            visit.full_clean(validate_unique=False)
            visit_save(visit)
            visit.receiving_members.set(receiving_members)
            cases = [
                _open_issue(visit, issue, actor, now, *code_and_hash)
                for issue, code_and_hash in zip(issues, hashed, strict=True)
            ]
    except IntegrityError:
        existing = Visit.objects.filter(submission_id=visit.submission_id).first()
        if visit.submission_id is None or existing is None:
            raise
        raise DuplicateSubmission(existing) from None
    lookup_codes = {case.number: code for case, code in zip(cases, codes, strict=True) if code}
    return LoggedVisit(visit=visit, cases=cases, lookup_codes=lookup_codes)


def _open_issue(visit: Visit, issue: Issue, actor, now, code: str, code_hash: str) -> Case:
    case = Case(
        workstation=visit.workstation,
        visit=visit,
        title=issue.title,
        description=issue.description,
        category=issue.category,
        satisfaction=issue.satisfaction if issue.answered_on_spot else "",
        lookup_code=code_hash,
    )
    case.issued_lookup_code = code
    action = Action.ANSWER if issue.answered_on_spot else Action.REGISTER
    case = case_open(case=case, actor=actor, action=action, note=issue.answer, now=now)
    case.handling_members.set(issue.handling_members)
    return case
