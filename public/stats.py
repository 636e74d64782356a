"""The public statistics page: the network's figures for one year, each chart drawn as
inline SVG on the server with a table of the same numbers beside it (no script, no
inline style: the content security policy allows neither)."""

import unicodedata
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from base.replica import reads_from_replica
from visits.department_figures import percent

from . import figures
from .cache import cached_for_visitors

FIRST_YEAR = 2021  # the two pilot workstations opened in 2021

# Bar colours, as SVG attributes; static/css/charts.css paints the legend swatches alike.
FOLLOWED_FILL = "#b3191f"
ON_SPOT_FILL = "#0b57a4"

# Chart geometry in SVG user units: a label column, then the bars, then room for a value.
# The drawing is narrow and its type large, so that it still reads scaled down to a phone.
WIDTH = 440
LABEL_WIDTH = 190
VALUE_ROOM = 40
ROW_HEIGHT = 40
BAR_HEIGHT = 14
BAR_GAP = 2
PADDING = 4
LABEL_SIZE = 15
VALUE_SIZE = 13
# The width of the label column in ems of the label type, less a margin.
LABEL_ROOM = (LABEL_WIDTH - 10) / LABEL_SIZE


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    text_x: float
    text_y: float


@dataclass(frozen=True)
class ChartRow:
    label: str
    short_label: str
    label_y: float
    followed: Bar
    on_spot: Bar


@dataclass(frozen=True)
class BarChart:
    key: str
    title: str
    definition: str
    heading: str
    rows: list[ChartRow]
    total_followed: int
    total_on_spot: int
    width: int = WIDTH
    label_x: int = LABEL_WIDTH - 6
    axis_x: int = LABEL_WIDTH
    label_size: int = LABEL_SIZE
    value_size: int = VALUE_SIZE
    followed_fill: str = FOLLOWED_FILL
    on_spot_fill: str = ON_SPOT_FILL

    @property
    def height(self) -> int:
        return 2 * PADDING + ROW_HEIGHT * len(self.rows)


def _ems(char: str) -> float:
    """A rough width: a CJK character is one em, other characters about half of one."""
    return 1.0 if unicodedata.east_asian_width(char) in "WF" else 0.56


def _fit(label: str) -> str:
    """The label cut to the width of the label column, ending in an ellipsis if cut."""
    if sum(map(_ems, label)) <= LABEL_ROOM:
        return label
    used, kept = 1.0, ""  # room for the ellipsis
    for char in label:
        used += _ems(char)
        if used > LABEL_ROOM:
            break
        kept += char
    # Cut a phrase between its words rather than inside one.
    if " " in kept.strip():
        kept = kept.strip().rsplit(" ", 1)[0]
    return kept.rstrip() + "…"


def _bar(value: int, scale: float, y: float) -> Bar:
    width = round(value * scale, 1)
    return Bar(
        x=LABEL_WIDTH,
        y=y,
        width=width,
        height=BAR_HEIGHT,
        value=value,
        text_x=round(LABEL_WIDTH + width + 4, 1),
        text_y=y + BAR_HEIGHT - 2.5,
    )


def bar_chart(
    key: str, rows: list[figures.CountRow], *, title: str, definition: str, heading: str
) -> BarChart:
    """Two bars per row (followed cases, answers on the spot) on one scale."""
    largest = max((max(row.followed, row.on_spot) for row in rows), default=0)
    scale = (WIDTH - LABEL_WIDTH - VALUE_ROOM) / largest if largest else 0
    chart_rows = []
    for i, row in enumerate(rows):
        top = PADDING + i * ROW_HEIGHT + (ROW_HEIGHT - 2 * BAR_HEIGHT - BAR_GAP) / 2
        chart_rows.append(
            ChartRow(
                label=str(row.label),
                short_label=_fit(str(row.label)),
                label_y=top + BAR_HEIGHT + BAR_GAP / 2 + 5,
                followed=_bar(row.followed, scale, top),
                on_spot=_bar(row.on_spot, scale, top + BAR_HEIGHT + BAR_GAP),
            )
        )
    return BarChart(
        key=key,
        title=title,
        definition=definition,
        heading=heading,
        rows=chart_rows,
        total_followed=sum(row.followed for row in rows),
        total_on_spot=sum(row.on_spot for row in rows),
    )


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    definition: str


def _figure(key: str, value: str) -> Figure:
    return Figure(figures.LABELS[key], value, figures.DEFINITIONS[key])


def chosen_year(request: HttpRequest) -> int:
    """The year asked for with ?year=, or the current one if none or none we have."""
    current = timezone.localdate().year
    asked = request.GET.get("year", "")
    if asked.isascii() and asked.isdigit() and FIRST_YEAR <= int(asked) <= current:
        return int(asked)
    return current


def _key_figures(top: figures.Headline) -> list[Figure]:
    days = top.average_days_to_close
    return [
        _figure("visits", str(top.visits)),
        _figure("people", str(top.people)),
        _figure("followed", str(top.followed)),
        _figure("closure_rate", percent(top.closure_rate)),
        _figure("average_days_to_close", "—" if days is None else f"{days:.1f}"),
        _figure("satisfaction_rate", percent(top.satisfaction_rate)),
        _figure("answered_on_spot", str(top.answered_on_spot)),
        _figure("on_spot_satisfaction_rate", percent(top.on_spot_satisfaction_rate)),
        _figure("overdue", str(top.overdue)),
    ]


def participation_figures(done: figures.Participation) -> list[Figure]:
    return [
        _figure("activities", str(done.activities)),
        _figure("community_visits", str(done.community_visits)),
        _figure("suggestions", str(done.suggestions)),
        _figure("donations", f"{done.donations:,.2f}"),
        _figure("proposals_filed", str(done.proposals_filed)),
        _figure("proposals_accepted", str(done.proposals_accepted)),
        _figure("proposals_excellent", str(done.proposals_excellent)),
        _figure("filing_rate", percent(done.filing_rate)),
        _figure("opinions_adopted", str(done.opinions_adopted)),
    ]


# Each chart: its figures, and the heading of its first table column.
CHARTS = {
    "cases_by_month": (figures.cases_by_month, _("Month")),
    "cases_by_category": (figures.cases_by_category, _("Category")),
    "cases_by_workstation": (figures.cases_by_workstation, _("Workstation")),
}


def _charts(year: int) -> list[BarChart]:
    return [
        bar_chart(
            key,
            count(year),
            title=figures.LABELS[key],
            definition=figures.DEFINITIONS[key],
            heading=heading,
        )
        for key, (count, heading) in CHARTS.items()
    ]


def supervision_figures(done: figures.SupervisionFigures) -> list[Figure]:
    return [
        _figure("supervisions", str(done.opened)),
        _figure("supervisions_answered_in_time", percent(done.answered_in_time_rate)),
        _figure("supervisions_late", str(done.late)),
        _figure("resolved_after_supervision", percent(done.resolved_after_rate)),
    ]


@dataclass(frozen=True)
class DepartmentRow:
    name: str
    referrals: int
    response_rate: str
    resolution_rate: str
    satisfaction_rate: str
    on_time_rate: str


def _department_rows(year: int) -> list[DepartmentRow]:
    return [
        DepartmentRow(
            name=d.name,
            referrals=d.referrals,
            response_rate=percent(d.response_rate),
            resolution_rate=percent(d.resolution_rate),
            satisfaction_rate=percent(d.satisfaction_rate),
            on_time_rate=percent(d.on_time_rate),
        )
        for d in figures.departments(year)
    ]


@require_safe
@cached_for_visitors(params=("year",))
@reads_from_replica
def statistics(request: HttpRequest) -> HttpResponse:
    year = chosen_year(request)
    top = figures.headline(year)
    context = {
        "year": year,
        "years": range(timezone.localdate().year, FIRST_YEAR - 1, -1),
        "key_figures": _key_figures(top),
        "participation_figures": participation_figures(figures.participation(year)),
        "supervision_figures": supervision_figures(figures.supervision(year)),
        "statuses": figures.status_rows(top),
        "charts": _charts(year),
        "departments": _department_rows(year),
        "workstation_clocks": [
            (clock.name, clock.open, clock.overdue, percent(clock.on_time_rate))
            for clock in figures.workstation_clocks(year)
        ],
        "labels": figures.LABELS,
        "definitions": figures.DEFINITIONS,
    }
    return render(request, "public/stats.html", context)
