"""Report cards (成绩单), read from the ledger: each member's year, totals by category,
rank overall and within the activity group, grade, and the entries behind each total.

Selectors only; a fixed number of queries whatever the number of members or entries.
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db import models
from django.db.models import Prefetch, Q, Sum
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from activities.models import Activity, Proposal
from members.models import Member
from rosters.models import DutyAssignment
from visits.models import Case, Visit

from .models import Category, Grade, GradeBand, PointEntry, PointQuery, PointRule

ZERO = Decimal(0)


@dataclass
class MemberYear:
    """One member's year: the totals, the ranks, the grade."""

    member: Member
    total: Decimal = ZERO
    by_category: dict[str, Decimal] = field(default_factory=dict)
    rank: int | None = None
    group_rank: int | None = None  # None for a member outside any activity group
    grade: Grade | None = None

    def totals_in(self, categories: Iterable[str]) -> list[Decimal]:
        return [self.by_category.get(category, ZERO) for category in categories]


# What each category's figure counts, in words: “值班到岗 4 次”, “接待群众 12 人次”.
FIGURES = {
    Category.DUTY_ATTENDED: ngettext_lazy(
        "Duty attended %(count)s time", "Duty attended %(count)s times", "count"
    ),
    Category.DUTY_ABSENT: ngettext_lazy(
        "Absent from duty without leave %(count)s time",
        "Absent from duty without leave %(count)s times",
        "count",
    ),
    Category.CITIZENS_RECEIVED: ngettext_lazy(
        "Received %(count)s citizen", "Received %(count)s citizens", "count"
    ),
    Category.CASE_CLOSED: ngettext_lazy(
        "%(count)s case followed to closure", "%(count)s cases followed to closure", "count"
    ),
    Category.CONSULTATION: ngettext_lazy(
        "Took part in %(count)s consultation", "Took part in %(count)s consultations", "count"
    ),
    Category.COMMUNITY_VISIT: ngettext_lazy(
        "%(count)s community visit", "%(count)s community visits", "count"
    ),
    Category.ACTIVITY: ngettext_lazy(
        "Took part in %(count)s activity", "Took part in %(count)s activities", "count"
    ),
    Category.PROPOSAL_FILED: ngettext_lazy(
        "Filed %(count)s proposal", "Filed %(count)s proposals", "count"
    ),
    Category.PROPOSAL_ACCEPTED: ngettext_lazy(
        "%(count)s proposal accepted for filing",
        "%(count)s proposals accepted for filing",
        "count",
    ),
    Category.PROPOSAL_EXCELLENT: ngettext_lazy(
        "%(count)s excellent proposal", "%(count)s excellent proposals", "count"
    ),
    Category.OPINION_ADOPTED: ngettext_lazy(
        "%(count)s public-opinion report adopted",
        "%(count)s public-opinion reports adopted",
        "count",
    ),
}


def points_words(points: Decimal) -> str:
    """“8 points”, “1.5 points”, “-3 points” (“8 分”)."""
    shown = floatformat(points, -2)
    return ngettext("%(points)s point", "%(points)s points", 1 if abs(points) == 1 else 2) % {
        "points": shown
    }


@dataclass
class CardSection:
    """A category of the card: its total and its lines, and `count`, what its figure
    counts: the citizens received (each visit's visitors), else the lines."""

    category: Category
    total: Decimal
    entries: list[PointEntry]
    count: int = 0

    @property
    def figure(self) -> str:
        """What the category counts and how often: “值班到岗 4 次”."""
        return FIGURES[self.category] % {"count": self.count}

    @property
    def points(self) -> str:
        return points_words(self.total)


def _count(category: str, entries: list[PointEntry]) -> int:
    if category == Category.CITIZENS_RECEIVED:
        # One line a visit; the visit says how many came (a source removed counts one).
        return sum(getattr(entry.source, "visitor_count", 1) for entry in entries)
    return len(entries)


@dataclass
class MemberCard:
    """A member's report card: their year and, per category, the entries behind it.
    Each entry carries `description`, a short account of its source."""

    year: int
    row: MemberYear
    sections: list[CardSection]


def _active(year: int) -> models.QuerySet[PointEntry]:
    return PointEntry.objects.filter(year=year, reversed_at__isnull=True)


def _rank(rows: list[MemberYear], attribute: str) -> None:
    """Competition ranking by total, highest first: 1, 2, 2, 4. `rows` are sorted."""
    previous = None
    for position, row in enumerate(rows, start=1):
        if previous is None or row.total != previous.total:
            setattr(row, attribute, position)
        else:
            setattr(row, attribute, getattr(previous, attribute))
        previous = row


def _grade(total: Decimal, bands: list[GradeBand]) -> Grade | None:
    """The highest band the total reaches; `bands` are sorted highest first."""
    for band in bands:
        if band.min_points <= total:
            return Grade(band.grade)
    return None


def year_totals(year: int) -> list[MemberYear]:
    """Every member with entries in the year, and every active member (with 0 when they
    have none), ranked overall and within their activity group, graded by the year's
    bands. Three queries: the totals, the members, the bands."""
    by_member: dict[int, dict[str, Decimal]] = defaultdict(dict)
    totals = _active(year).order_by().values("member_id", "category").annotate(sum=Sum("points"))
    for line in totals:
        by_member[line["member_id"]][line["category"]] = line["sum"]
    members = Member.objects.filter(
        Q(is_active=True) | Q(pk__in=_active(year).values("member_id"))
    ).select_related("activity_group", "sector", "home_workstation")
    bands = sorted(
        GradeBand.objects.filter(scoring_year__year=year), key=lambda b: b.min_points, reverse=True
    )
    rows = []
    for member in members:
        categories = by_member.get(member.pk, {})
        total = sum(categories.values(), ZERO)
        rows.append(MemberYear(member, total, categories, grade=_grade(total, bands)))
    rows.sort(key=lambda row: (-row.total, row.member.name, row.member.pk))
    _rank(rows, "rank")
    groups: dict[int, list[MemberYear]] = defaultdict(list)
    for row in rows:
        if row.member.activity_group_id is not None:
            groups[row.member.activity_group_id].append(row)
    for group_rows in groups.values():
        _rank(group_rows, "group_rank")
    return rows


def year_categories(year: int) -> list[Category]:
    """The categories the year's rules score, in the order of `Category`: the columns of
    the year's table and workbook. One query."""
    ruled = set(
        PointRule.objects.filter(scoring_year__year=year).values_list("category", flat=True)
    )
    return [category for category in Category if category in ruled]


# How each kind of source is read and described: the shift date and workstation, the
# visit date and workstation, the case number, the activity, the proposal. Nothing about
# the visitors: published cards are public.
def _duty(duty: DutyAssignment) -> str:
    return _("Duty on %(date)s at %(workstation)s") % {
        "date": f"{duty.shift.date:%Y-%m-%d}",
        "workstation": duty.shift.workstation,
    }


def _visit(visit: Visit) -> str:
    return _("Visit on %(date)s at %(workstation)s") % {
        "date": f"{timezone.localdate(visit.visited_at):%Y-%m-%d}",
        "workstation": visit.workstation,
    }


def _case(case: Case) -> str:
    return _("Case %(number)s") % {"number": case.number}


def _kind_and_title(kind: str, title: str) -> str:
    """“Kind: title”, or the title alone when it names its kind already (“委员进社区：…”,
    “…微协商”), in the kind's label or the Chinese name it gives in brackets: a line never
    says its kind twice."""
    names = {kind, *re.findall(r"[(（]([^()（）]+)[)）]", kind)}
    if any(name.strip() and name.strip() in title for name in names):
        return title
    return _("%(kind)s: %(title)s") % {"kind": kind, "title": title}


def _activity(activity: Activity) -> str:
    return _kind_and_title(activity.get_kind_display(), activity.title)


def _proposal(proposal: Proposal) -> str:
    return _kind_and_title(proposal.get_kind_display(), proposal.title)


SOURCES: dict[type[models.Model], tuple[Callable[[], models.QuerySet], Callable]] = {
    DutyAssignment: (lambda: DutyAssignment.objects.select_related("shift__workstation"), _duty),
    Visit: (lambda: Visit.objects.select_related("workstation"), _visit),
    Case: (lambda: Case.objects.all(), _case),
    Activity: (lambda: Activity.objects.all(), _activity),
    Proposal: (lambda: Proposal.objects.all(), _proposal),
}


def describe(source: models.Model | None) -> str:
    if source is None:
        return _("(source removed)")
    return SOURCES[type(source)][1](source)


def card(member: Member, year: int) -> MemberCard:
    """The member's year and the active entries behind each category, each with its
    source described. A fixed number of queries: the year's totals (3), the entries,
    their sources (one per kind) and the queries asked about them."""
    row = next((r for r in year_totals(year) if r.member.pk == member.pk), None)
    if row is None:  # an inactive member without entries this year
        row = MemberYear(member)
    entries = (
        _active(year)
        .filter(member=member)
        .prefetch_related(
            GenericPrefetch("source", [queryset() for queryset, _describe in SOURCES.values()]),
            Prefetch("queries", PointQuery.objects.select_related("asked_by")),
        )
        .order_by("occurred_on", "pk")
    )
    by_category: dict[str, list[PointEntry]] = defaultdict(list)
    for entry in entries:
        entry.description = describe(entry.source)
        by_category[entry.category].append(entry)
    sections = [
        CardSection(
            category,
            row.by_category.get(category, ZERO),
            by_category[category],
            _count(category, by_category[category]),
        )
        for category in Category
        if by_category.get(category)
    ]
    return MemberCard(year, row, sections)


def year_entries(year: int) -> Iterator[tuple[PointEntry, str]]:
    """Every active entry of the year with its source described, by member and date. One
    query for the entries and one per kind of source (a subquery, however many rows)."""
    descriptions: dict[tuple[int, int], str] = {}
    for model, (queryset, describe_source) in SOURCES.items():
        content_type = ContentType.objects.get_for_model(model)
        scored = _active(year).filter(source_type=content_type).values("source_id")
        for source in queryset().filter(pk__in=scored):
            descriptions[(content_type.pk, source.pk)] = describe_source(source)
    entries = _active(year).select_related("member").order_by("member__name", "occurred_on", "pk")
    for entry in entries:
        yield entry, descriptions.get((entry.source_type_id, entry.source_id), describe(None))
