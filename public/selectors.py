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


@dataclass(frozen=True)
class Duty:
    """A shift as the public sees it: the members on duty (the substitute in place of a
    member who was replaced) are named only when they chose to be published; the others
    are only counted."""

    shift: DutyShift
    named: list[Member]
    unnamed: int


def _duty(shift: DutyShift) -> Duty:
    people = [a.substitute or a.member for a in shift.assignments.all()]
    named = [person for person in people if person.is_published and person.is_active]
    return Duty(shift, named, len(people) - len(named))


@dataclass(frozen=True)
class WorkstationDuty:
    """An active workstation with its shifts of one day (none when nobody is on duty)."""

    workstation: Workstation
    duties: list[Duty]


def workstations_today(today: date) -> list[WorkstationDuty]:
    """The active workstations in their order, each with today's shifts and the people on
    them. Three queries."""
    shifts = _shifts_between(today, today)
    workstations = (
        Workstation.objects.filter(is_active=True)
        .order_by("ordering", "name")
        .prefetch_related(Prefetch("shifts", queryset=shifts, to_attr="today_shifts"))
    )
    return [WorkstationDuty(w, [_duty(s) for s in w.today_shifts]) for w in workstations]


@dataclass(frozen=True)
class DutyDay:
    """A day of the week with the workstations where members are on duty that day."""

    day: date
    workstations: list[WorkstationDuty]


def week_duty(today: date) -> list[DutyDay]:
    """This week, Monday to Sunday, each day with the active workstations that have shifts
    (in their order), their shifts and the people on them. Two queries."""
    first = week_start(today)
    shifts = (
        _shifts_between(first, first + timedelta(days=6))
        .filter(workstation__is_active=True)
        .order_by("date", "workstation__ordering", "workstation__name", "starts_at")
    )
    by_day: dict[date, dict[Workstation, list[Duty]]] = {}
    for shift in shifts:
        by_day.setdefault(shift.date, {}).setdefault(shift.workstation, []).append(_duty(shift))
    days = [first + timedelta(days=n) for n in range(7)]
    return [
        DutyDay(day, [WorkstationDuty(w, d) for w, d in by_day.get(day, {}).items()])
        for day in days
    ]


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
