"""The network's figures for one calendar year, as the public statistics page shows them.

Every function runs a fixed number of aggregate queries, whatever the number of rows.
A year is a local calendar year (the site's time zone, Beijing time): a case opened at
00:30 on 1 January belongs to the new year although it is still 31 December in UTC.

Each figure's definition lives in DEFINITIONS, so the page prints beside every number
exactly what was counted.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, ActivityKind, Proposal, ProposalKind, ProposalStatus
from base.mappings import dataclass_from
from visits import tallies
from visits.department_figures import (
    FINISHED,
    PLEASED,
    DepartmentFigures,
    answer_counts,
    answered_in_time,
    rate,
)
from visits.lifecycle import TERMINAL
from visits.models import (
    Case,
    CaseCategory,
    CaseStatus,
    CaseTally,
    Referral,
    ReferralRole,
    ReferralState,
    Supervision,
    SupervisionState,
    VisitTally,
)
from workstations.models import Workstation

# Cases that never entered the loop: waiting for acceptance, refused, duplicates, withdrawn.
OUTSIDE_LOOP = (CaseStatus.SUBMITTED, CaseStatus.REJECTED, CaseStatus.MERGED, CaseStatus.WITHDRAWN)
IN_LOOP = tuple(s for s in CaseStatus if s not in OUTSIDE_LOOP)
# Statuses that end a case: it owes no step any more.
ENDED = tuple(TERMINAL)
FILED = (ProposalStatus.ACCEPTED, ProposalStatus.MERGED)

# The followed cases (the "universe" of the rates): not answered on the spot, in the loop.
FOLLOWED = Q(answered_on_spot=False, status__in=IN_LOOP)
ON_SPOT = Q(answered_on_spot=True)
# A case's satisfaction is the citizen's answer at the latest follow-up: an unsatisfied
# answer reopens the case and stays on it until the next follow-up.
RATED = ~Q(satisfaction="")

LABELS = {
    "visits": _("Visits"),
    "people": _("Citizens received"),
    "cases_by_status": _("Cases by status"),
    "followed": _("Followed cases"),
    "closure_rate": _("Closure rate"),
    "average_days_to_close": _("Average days to close"),
    "satisfaction_rate": _("Satisfaction rate"),
    "answered_on_spot": _("Answered on the spot"),
    "on_spot_satisfaction_rate": _("Satisfaction with answers on the spot"),
    "cases_by_month": _("Cases by month"),
    "cases_by_category": _("Cases by category"),
    "cases_by_workstation": _("Cases by workstation"),
    "referrals": _("Referrals"),
    "response_rate": _("Response rate"),
    "resolution_rate": _("Resolution rate"),
    "department_satisfaction_rate": _("Satisfaction rate"),
    "on_time_rate": _("On-time reply rate"),
    "supervisions": _("Supervisions"),
    "supervisions_answered_in_time": _("Share of supervisions answered in time"),
    "supervisions_late": _("Supervisions waiting past their day"),
    "resolved_after_supervision": _("Share resolved after supervision"),
    "activities": _("Activities"),
    "community_visits": _("Community visits"),
    "suggestions": _("Suggestions gathered"),
    "donations": _("Donations (yuan)"),
    "proposals_filed": _("Proposals filed"),
    "proposals_accepted": _("Proposals accepted for filing"),
    "proposals_excellent": _("Excellent proposals"),
    "filing_rate": _("Filing rate"),
    "opinions_adopted": _("Public-opinion reports adopted"),
    "overdue": _("Overdue cases"),
    "open_cases": _("Open cases"),
    "workstation_on_time_rate": _("On time"),
}

DEFINITIONS = {
    "overdue": _(
        "Cases opened during the year, still open today, whose next deadline has passed: "
        "accepting an online submission, a first handling, a department's acknowledgement "
        "or reply, the resolution or the follow-up, each counted in working days."
    ),
    "open_cases": _("Cases opened during the year at the workstation that are still open."),
    "workstation_on_time_rate": _(
        "Open cases not past their next deadline today, divided by all open cases."
    ),
    "visits": _("Visits logged at the workstations during the year."),
    "people": _(
        "Citizens received during the year: the number of visitors of every visit, added up."
    ),
    "cases_by_status": _(
        "Cases opened during the year, answers on the spot aside, by their status today."
    ),
    "followed": _(
        "Cases opened during the year to be followed to the end: not answered on the spot, "
        "and not waiting for acceptance, rejected, merged as a duplicate or withdrawn."
    ),
    "closure_rate": _(
        "Followed cases now resolved or followed up and closed, divided by all followed cases "
        "of the year."
    ),
    "average_days_to_close": _(
        "Mean number of days from the opening of a followed case to its resolution, over the "
        "followed cases resolved so far."
    ),
    "satisfaction_rate": _(
        "Followed cases whose citizen was satisfied or basically satisfied at the latest "
        "follow-up, divided by the followed cases followed up so far (an unsatisfied answer "
        "reopens the case and counts until the next follow-up)."
    ),
    "answered_on_spot": _(
        "Issues answered on the spot during the year: closed at once, counted apart from the "
        "followed cases."
    ),
    "on_spot_satisfaction_rate": _(
        "Answers on the spot the citizen was satisfied or basically satisfied with, divided "
        "by all answers on the spot. An answer the citizen is not satisfied with is "
        "registered as a case to follow instead."
    ),
    "cases_by_month": _(
        "Followed cases opened in each month of the year (Beijing time); issues answered on "
        "the spot are counted apart."
    ),
    "cases_by_category": _(
        "Followed cases opened during the year, by category; issues answered on the spot are "
        "counted apart."
    ),
    "cases_by_workstation": _(
        "Followed cases opened during the year at each open workstation; issues answered on "
        "the spot are counted apart."
    ),
    "referrals": _(
        "Cases sent to the department as lead department during the year; referrals "
        "cancelled because the case ended are left out."
    ),
    "response_rate": _(
        "Referrals the department acknowledged, replied to or returned, divided by its referrals."
    ),
    "resolution_rate": _(
        "Referrals the department replied to whose case is now resolved or closed, divided by "
        "its referrals."
    ),
    "department_satisfaction_rate": _(
        "Cases the department replied to whose citizen was satisfied or basically satisfied "
        "at the latest follow-up, divided by those cases followed up so far."
    ),
    "on_time_rate": _(
        "Replies given on or before their due date (Beijing time), divided by the "
        "department's replies and its referrals with no reply yet once their due date has "
        "passed: a referral never answered counts as late."
    ),
    "activities": _(
        "Consultations, community visits, public-service days and donations the workstations "
        "held during the year, as their organisers recorded them."
    ),
    "community_visits": _(
        "Activities of the kind “community visit” (进社区) held during the year."
    ),
    "suggestions": _(
        "Suggestions gathered at the year's activities, as their organisers counted them."
    ),
    "donations": _("The amounts of the year's donations, added up."),
    "proposals_filed": _(
        "Proposals (not public-opinion reports) submitted during the year, drafts left out."
    ),
    "proposals_accepted": _(
        "Proposals submitted during the year and accepted for filing (立案), those merged "
        "with another (并案) included."
    ),
    "proposals_excellent": _("Proposals submitted during the year and rated excellent."),
    "filing_rate": _(
        "Proposals accepted for filing, those merged with another (并案) included, divided by "
        "the proposals submitted during the year (立案率)."
    ),
    "opinions_adopted": _("Public-opinion reports submitted during the year and adopted."),
    **{
        "supervisions": _(
            "Supervisions (督办) the district office opened during the year on late work: "
            "a department's referral or a workstation's own step."
        ),
        "supervisions_answered_in_time": _(
            "Supervisions of the year answered by the working day the office set, divided "
            "by all the supervisions of the year."
        ),
        "supervisions_late": _(
            "Supervisions of the year still waiting for their answer after the day set."
        ),
        "resolved_after_supervision": _(
            "Supervisions of the year whose case was resolved after the supervision opened, "
            "divided by all the supervisions of the year."
        ),
    },
}


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first instant of the local year and of the next one."""
    zone = timezone.get_default_timezone()
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def _cases_opened(year: int) -> QuerySet[Case]:
    start, end = year_bounds(year)
    return Case.objects.filter(created_at__gte=start, created_at__lt=end).order_by()


@dataclass(frozen=True)
class Headline:
    year: int
    visits: int
    people: int
    cases_by_status: dict[str, int]
    followed: int
    finished: int
    closure_rate: float | None
    average_days_to_close: float | None
    satisfaction_rate: float | None
    answered_on_spot: int
    on_spot_satisfaction_rate: float | None
    overdue: int


def status_rows(top: Headline) -> list[tuple[str, int]]:
    """(label, count) for every case status, in the lifecycle's order."""
    return [(status.label, top.cases_by_status[status]) for status in CaseStatus]


def _late(today: date) -> Q:
    """Open and past its next deadline (Case.is_overdue), as a filter."""
    return ~Q(status__in=ENDED) & Q(next_due_on__lt=today)


def _cases(**filters: Q) -> dict:
    """The tallied cases each filter keeps, added up, as an aggregate."""
    return {name: Coalesce(Sum("cases", filter=q), 0) for name, q in filters.items()}


def headline(year: int, *, today: date | None = None) -> Headline:
    """The year's main figures, in three queries of the tallies and of the open cases
    (overdue as of `today`), whatever the number of cases."""
    today = today or timezone.localdate()
    visits = VisitTally.objects.filter(year=year).aggregate(
        visits=Coalesce(Sum("visits"), 0), people=Coalesce(Sum("people"), 0)
    )
    by_status = {f"status_{s}": Q(answered_on_spot=False, status=s) for s in CaseStatus}
    cases = CaseTally.objects.filter(year=year).aggregate(
        **_cases(
            **by_status,
            rated=FOLLOWED & RATED,
            pleased=FOLLOWED & Q(satisfaction__in=PLEASED),
            on_spot=ON_SPOT,
            on_spot_rated=ON_SPOT & RATED,
            on_spot_pleased=ON_SPOT & Q(satisfaction__in=PLEASED),
        ),
        resolved=Sum("resolved", filter=FOLLOWED),
        time_to_resolve=Sum("time_to_resolve", filter=FOLLOWED),
    )
    by_status = {s: cases[f"status_{s}"] for s in CaseStatus.values}
    # Open cases past their deadline depend on the day: counted from the cases, along
    # the index of their deadlines (an ended case has none).
    overdue = _cases_opened(year).filter(_late(today)).count()
    followed = sum(by_status[status] for status in IN_LOOP)
    finished = sum(by_status[status] for status in FINISHED)
    return Headline(
        year=year,
        visits=visits["visits"],
        people=visits["people"],
        cases_by_status=by_status,
        followed=followed,
        finished=finished,
        closure_rate=rate(finished, followed),
        average_days_to_close=_days(cases["time_to_resolve"], cases["resolved"]),
        satisfaction_rate=rate(cases["pleased"], cases["rated"]),
        answered_on_spot=cases["on_spot"],
        on_spot_satisfaction_rate=rate(cases["on_spot_pleased"], cases["on_spot_rated"]),
        overdue=overdue,
    )


def _days(total: timedelta | int | None, count: int | None) -> float | None:
    """The mean of `count` durations adding up to `total`, in days."""
    if not count:
        return None
    return round(tallies.duration(total) / count / timedelta(days=1), 1)


@dataclass(frozen=True)
class CountRow:
    """One bar of a chart: followed cases, and answers on the spot counted apart."""

    key: str | int
    label: str
    followed: int
    on_spot: int


def _counts_by(year: int, field: str) -> dict:
    rows = (
        CaseTally.objects.filter(year=year)
        .order_by()
        .values(field)
        .annotate(**_cases(followed=FOLLOWED, on_spot=ON_SPOT))
    )
    return {row[field]: (row["followed"], row["on_spot"]) for row in rows}


def cases_by_month(year: int) -> list[CountRow]:
    """Twelve rows, January first, months without cases included. One query."""
    counts = _counts_by(year, "month")
    return [CountRow(m, MONTHS[m], *counts.get(m, (0, 0))) for m in range(1, 13)]


def cases_by_category(year: int) -> list[CountRow]:
    """Every category in its usual order, empty ones included. One query."""
    counts = _counts_by(year, "category")
    return [CountRow(c.value, c.label, *counts.get(c.value, (0, 0))) for c in CaseCategory]


def cases_by_workstation(year: int) -> list[CountRow]:
    """Every open workstation in its display order, empty ones included. One query."""
    of_year = Q(case_tallies__year=year)
    on_spot = Q(case_tallies__answered_on_spot=True)
    followed = ~on_spot & Q(case_tallies__status__in=IN_LOOP)
    workstations = _open_workstations().annotate(
        followed=_tallied(of_year & followed), on_spot=_tallied(of_year & on_spot)
    )
    return [CountRow(w.slug, w.name, w.followed, w.on_spot) for w in workstations]


def _open_workstations() -> QuerySet[Workstation]:
    return Workstation.objects.filter(is_active=True).order_by("ordering", "name")


def _tallied(q: Q) -> Coalesce:
    """A workstation's tallied cases that `q` keeps, added up."""
    return Coalesce(Sum("case_tallies__cases", filter=q), 0)


@dataclass(frozen=True)
class WorkstationClock:
    name: str
    open: int
    overdue: int

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.open - self.overdue, self.open)


def workstation_clocks(year: int, *, today: date | None = None) -> list[WorkstationClock]:
    """Each open workstation's cases of the year still open, and those of them past their
    next deadline as of `today`, in display order. One query: the open cases from the
    tallies, the overdue ones from the cases, along the index of their deadlines."""
    today = today or timezone.localdate()
    overdue = (
        _cases_opened(year)
        .filter(_late(today), workstation=OuterRef("pk"))
        .values("workstation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    workstations = _open_workstations().annotate(
        open_cases=_tallied(Q(case_tallies__year=year) & ~Q(case_tallies__status__in=ENDED)),
        overdue=Coalesce(Subquery(overdue), 0),
    )
    return [WorkstationClock(w.name, w.open_cases, w.overdue) for w in workstations]


def departments(year: int, *, today: date | None = None) -> list[DepartmentFigures]:
    """Each department that was sent cases as lead during the year, by name. One query.
    A referral still open after its due date (as of `today`) counts as a late reply."""
    start, end = year_bounds(year)
    today = today or timezone.localdate()
    rows = (
        Referral.objects.filter(role=ReferralRole.LEAD, sent_at__gte=start, sent_at__lt=end)
        .exclude(state=ReferralState.CANCELLED)
        .values("department_id", "department__name")
        .annotate(referrals=Count("pk"), **answer_counts(today))
        .order_by("department__name")
    )
    return [dataclass_from(DepartmentFigures, row, name="department__name") for row in rows]


@dataclass(frozen=True)
class Participation:
    year: int
    activities: int
    community_visits: int
    suggestions: int
    donations: Decimal
    proposals_filed: int
    proposals_accepted: int
    proposals_excellent: int
    filing_rate: float | None
    opinions_adopted: int


def participation(year: int) -> Participation:
    """What the members did beyond their cases: activities and proposals. Two queries."""
    held = Activity.objects.filter(date__year=year).aggregate(
        activities=Count("pk"),
        community=Count("pk", filter=Q(kind=ActivityKind.COMMUNITY_VISIT)),
        suggestions=Coalesce(Sum("suggestions_gathered"), 0),
        donations=Sum("amount", filter=Q(kind=ActivityKind.DONATION)),
    )
    submitted = Proposal.objects.filter(submitted_on__year=year).exclude(
        status=ProposalStatus.DRAFT
    )
    proposals = Q(kind=ProposalKind.PROPOSAL)
    filed = submitted.aggregate(
        filed=Count("pk", filter=proposals),
        # A proposal merged with another (并案) is filed with it: 立案 includes 并案.
        accepted=Count("pk", filter=proposals & Q(status__in=FILED)),
        excellent=Count("pk", filter=proposals & Q(is_excellent=True)),
        adopted=Count("pk", filter=Q(kind=ProposalKind.OPINION, is_adopted=True)),
    )
    return Participation(
        year=year,
        activities=held["activities"],
        community_visits=held["community"],
        suggestions=held["suggestions"],
        donations=held["donations"] or Decimal("0"),
        proposals_filed=filed["filed"],
        proposals_accepted=filed["accepted"],
        proposals_excellent=filed["excellent"],
        filing_rate=rate(filed["accepted"], filed["filed"]),
        opinions_adopted=filed["adopted"],
    )


@dataclass(frozen=True)
class SupervisionFigures:
    opened: int
    answered_in_time: int
    late: int
    resolved_after: int

    @property
    def answered_in_time_rate(self) -> float | None:
        return rate(self.answered_in_time, self.opened)

    @property
    def resolved_after_rate(self) -> float | None:
        return rate(self.resolved_after, self.opened)


def supervision(year: int, *, today: date | None = None) -> SupervisionFigures:
    """The district office's supervisions (督办) opened during the year: answered in time,
    still waiting past their day as of `today`, their cases resolved since. One query."""
    start, end = year_bounds(year)
    today = today or timezone.localdate()
    counts = Supervision.objects.filter(opened_at__gte=start, opened_at__lt=end).aggregate(
        opened=Count("pk"),
        answered_in_time=Count("pk", filter=answered_in_time()),
        late=Count("pk", filter=Q(state=SupervisionState.OPEN, due_on__lt=today)),
        resolved_after=Count(
            "pk",
            filter=Q(case__status__in=FINISHED, case__resolved_at__gte=F("opened_at")),
        ),
    )
    return SupervisionFigures(**counts)
