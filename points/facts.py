"""Which facts score points: read from the rows themselves, so that the ledger can be
written when a fact happens and rebuilt from scratch, by the same rules.

A fact is (member, category, source row, date). Its year is the local year of its date.

- a duty assignment, once its shift has started and its attendance is recorded:
  attended, its member; substituted, the substitute who stood in; absent, as a
  deduction, whoever was to stand the duty: the substitute when the member was on
  leave (the member on leave is never scored absent), else the member;
- a visit: each receiving member received citizens;
- a case closed after a follow-up (not answered on the spot): each handling member;
- an activity: each participant, as a consultation, a community visit or an activity;
- a proposal: filed once submitted, accepted once accepted for filing, excellent once
  rated so; a public-opinion report once adopted. All to the lead member.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from activities.models import CONSULTATIONS, Activity, ActivityKind, Proposal, ProposalStatus
from rosters.models import Attendance, DutyAssignment
from visits.models import Case, CaseStatus, Visit

from .models import Category


@dataclass(frozen=True)
class Fact:
    member_id: int
    category: str
    source_type_id: int
    source_id: int
    occurred_on: date

    @property
    def year(self) -> int:
        return self.occurred_on.year

    @property
    def key(self) -> tuple[int, str, int, int]:
        return (self.member_id, self.category, self.source_type_id, self.source_id)


def activity_category(kind: str) -> str:
    if kind in CONSULTATIONS:
        return Category.CONSULTATION
    if kind == ActivityKind.COMMUNITY_VISIT:
        return Category.COMMUNITY_VISIT
    return Category.ACTIVITY


def _duty_facts(rows: Iterable[tuple], ct: int) -> Iterator[Fact]:
    for pk, member_id, substitute_id, attendance, on_leave, day in rows:
        if attendance == Attendance.ATTENDED:
            yield Fact(member_id, Category.DUTY_ATTENDED, ct, pk, day)
        elif attendance == Attendance.SUBSTITUTED and substitute_id:
            yield Fact(substitute_id, Category.DUTY_ATTENDED, ct, pk, day)
        elif attendance == Attendance.ABSENT:
            absentee = substitute_id if on_leave else member_id
            yield Fact(absentee, Category.DUTY_ABSENT, ct, pk, day)


def _proposal_facts(rows: Iterable[tuple], ct: int) -> Iterator[Fact]:
    for pk, lead_id, kind, status, submitted_on, decided_on, excellent, adopted in rows:
        if status == ProposalStatus.DRAFT or submitted_on is None:
            continue
        if kind == Proposal.Kind.OPINION:
            if adopted:
                yield Fact(lead_id, Category.OPINION_ADOPTED, ct, pk, decided_on or submitted_on)
            continue
        yield Fact(lead_id, Category.PROPOSAL_FILED, ct, pk, submitted_on)
        if status == ProposalStatus.ACCEPTED:
            decided = decided_on or submitted_on
            yield Fact(lead_id, Category.PROPOSAL_ACCEPTED, ct, pk, decided)
            if excellent:
                yield Fact(lead_id, Category.PROPOSAL_EXCELLENT, ct, pk, decided)


DUTY_FIELDS = ("pk", "member_id", "substitute_id", "attendance", "on_leave", "shift__date")
PROPOSAL_FIELDS = (
    "pk", "lead_id", "kind", "status", "submitted_on", "decided_on", "is_excellent", "is_adopted",
)  # fmt: skip


def facts(
    sources: dict[type[models.Model], Iterable[int]] | None = None, *, now: datetime | None = None
) -> set[Fact]:
    """The facts of the given source rows ({model: pks}), or of every row when None, as
    they stand at `now`. A fixed number of queries per model, whatever the number of rows.

    The ledger learns of a duty when its attendance is recorded, which the duty functions
    allow only once the shift has started; a duty whose shift is still to come is no fact
    whatever its row says, so a rebuild never scores what has not happened."""
    found: set[Fact] = set()

    def rows(model, *fields, through=None, queryset=None):
        queryset = queryset if queryset is not None else (through or model).objects.all()
        if sources is not None:
            pks = list(sources.get(model, ()))
            if not pks:
                return []
            lookup = "pk__in" if through is None else f"{model._meta.model_name}_id__in"
            queryset = queryset.filter(**{lookup: pks})
        return queryset.order_by().values_list(*fields)

    ct = ContentType.objects.get_for_model
    duties = rows(DutyAssignment, *DUTY_FIELDS, queryset=DutyAssignment.objects.started(now))
    found.update(_duty_facts(duties, ct(DutyAssignment).pk))
    visit_ct = ct(Visit).pk
    for visit_id, member_id, visited_at in rows(
        Visit, "visit_id", "member_id", "visit__visited_at", through=Visit.receiving_members.through
    ):
        day = timezone.localdate(visited_at)
        found.add(Fact(member_id, Category.CITIZENS_RECEIVED, visit_ct, visit_id, day))
    case_ct = ct(Case).pk
    for case_id, member_id, status, on_spot, closed_at in rows(
        Case,
        "case_id",
        "member_id",
        "case__status",
        "case__answered_on_spot",
        "case__closed_at",
        through=Case.handling_members.through,
    ):
        if status == CaseStatus.CLOSED and not on_spot and closed_at:
            day = timezone.localdate(closed_at)
            found.add(Fact(member_id, Category.CASE_CLOSED, case_ct, case_id, day))
    activity_ct = ct(Activity).pk
    for activity_id, member_id, kind, day in rows(
        Activity,
        "activity_id",
        "member_id",
        "activity__kind",
        "activity__date",
        through=Activity.participants.through,
    ):
        found.add(Fact(member_id, activity_category(kind), activity_ct, activity_id, day))
    found.update(_proposal_facts(rows(Proposal, *PROPOSAL_FIELDS), ct(Proposal).pk))
    return found
