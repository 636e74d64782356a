"""What the public pages read: only what may be published, in a fixed number of queries
whatever the number of workstations, shifts or members.

Nothing here hands a template a visit, a login or a calendar token: published cases
come out as plain anonymised rows, members only when they chose to be published.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from members.models import Member
from rosters.calendars import week_start, with_people
from rosters.models import DutyAssignment, DutyShift
from visits.models import Case, CaseCategory, CaseStatus
from workstations.models import Workstation

PUBLISHED_CASES = 10
WORKSTATION_WEEKS = 4  # this week and the next three
MEMBER_DUTY_DAYS = 8 * 7


@dataclass(frozen=True)
class PublishedCase:
    """A case the citizen agreed to publish, stripped of everything that names anyone."""

    summary: str
    category: str
    workstation: str
    created_at: datetime
    resolved_at: datetime | None


def _shifts_between(first: date, last: date) -> QuerySet[DutyShift]:
    return with_people(DutyShift.objects.filter(date__range=(first, last)))


def public_members() -> QuerySet[Member]:
    return Member.objects.filter(is_published=True, is_active=True)


def workstations_with_week(today: date) -> list[Workstation]:
    """The active workstations in their order, each with `week_shifts` (this week's
    shifts and the people on them). Three queries."""
    first = week_start(today)
    shifts = _shifts_between(first, first + timedelta(days=6))
    return list(
        Workstation.objects.filter(is_active=True)
        .order_by("ordering", "name")
        .prefetch_related(Prefetch("shifts", queryset=shifts, to_attr="week_shifts"))
    )


def published_cases(limit: int = PUBLISHED_CASES) -> list[PublishedCase]:
    """The newest resolved or closed cases whose citizen consented to publication, by the
    summary staff wrote for it (never the citizen's own words). One query."""
    rows = (
        Case.objects.filter(
            status__in=(CaseStatus.RESOLVED, CaseStatus.CLOSED),
            visit__consent_to_publish=True,
        )
        .exclude(public_summary="")
        .order_by("-resolved_at", "-pk")
        .values_list(
            "public_summary", "category", "workstation__name", "created_at", "resolved_at"
        )[:limit]
    )
    return [
        PublishedCase(summary, CaseCategory(category).label, workstation, created, resolved)
        for summary, category, workstation, created, resolved in rows
    ]


def workstation_for_public(slug: str) -> Workstation:
    """An active workstation, or 404. One query."""
    return get_object_or_404(Workstation, slug=slug, is_active=True)


def workstation_shifts(workstation: Workstation, today: date) -> list[DutyShift]:
    """This week's and the next three weeks' shifts, with their people. Two queries."""
    first = week_start(today)
    last = first + timedelta(weeks=WORKSTATION_WEEKS) - timedelta(days=1)
    return list(_shifts_between(first, last).filter(workstation=workstation))


def workstation_members(workstation: Workstation) -> list[Member]:
    """The published active members of a workstation's street study group. One query."""
    return list(
        public_members()
        .filter(home_workstation=workstation)
        .select_related("sector", "activity_group")
        .order_by("name", "pk")
    )


def member_for_public(pk: int) -> Member:
    """A published active member, or 404. One query."""
    return get_object_or_404(
        public_members().select_related("sector", "activity_group", "home_workstation"), pk=pk
    )


def member_duties(member: Member, today: date) -> list[DutyShift]:
    """The shifts the member will take in the coming eight weeks at an active
    workstation: their own unless substituted, and those they substitute on. Two queries."""
    theirs = DutyAssignment.objects.held_by(member).values("shift")
    shifts = DutyShift.objects.filter(
        pk__in=theirs,
        workstation__is_active=True,
        date__range=(today, today + timedelta(days=MEMBER_DUTY_DAYS - 1)),
    )
    return list(with_people(shifts))
