"""The counters the figures add up (CaseTally, VisitTally), kept in step with the cases
and visits they count, so that a figure costs the same with a thousand cases as with a
million.

A case counts once, in the tally row of its kind (`share_of`: the month it was opened,
its workstation, category, status, answered on the spot or not, satisfaction). The
lifecycle, the only writer of a case, notes the case's share when it locks the row
(`seen`) and moves it once the step saved the case (`move`), in the step's transaction;
a visit is counted when it is logged and moved with a transferred case. `compare`
recounts every row from the cases and visits and lists the differences; `rebuild`
makes the tallies equal to them (`manage.py rebuild_tallies`). A bulk load counts what
it wrote from the rows in hand (`BulkCount`).
"""

from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Model, QuerySet, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from .models import Case, CaseTally, Visit, VisitTally

CASE_KEY = (
    "year",
    "month",
    "workstation_id",
    "category",
    "status",
    "answered_on_spot",
    "satisfaction",
)
VISIT_KEY = ("year", "month", "workstation_id")
NO_TIME = timedelta(0)


@dataclass(frozen=True)
class Share:
    """What one case adds to the row of its kind."""

    key: tuple
    resolved: int
    time_to_resolve: timedelta

    def amounts(self, sign: int) -> dict:
        return {
            "cases": sign,
            "resolved": sign * self.resolved,
            "time_to_resolve": sign * self.time_to_resolve,
        }


def share_of(case: Case) -> Share:
    opened = timezone.localtime(case.created_at)
    key = (
        opened.year,
        opened.month,
        case.workstation_id,
        case.category,
        case.status,
        case.answered_on_spot,
        case.satisfaction,
    )
    if case.resolved_at is None:
        return Share(key, 0, NO_TIME)
    return Share(key, 1, case.resolved_at - case.created_at)


_SEEN = "_tally_share"


def seen(case: Case) -> Case:
    """Note the share of a case as it is stored, when the lifecycle locks its row."""
    setattr(case, _SEEN, share_of(case))
    return case


def move(case: Case, *, new: bool = False) -> None:
    """After a step saved `case` (a `new` one: after it was opened), take it out of the
    row it counted in when it was locked and count it in the row of its kind now."""
    before = getattr(case, _SEEN, None)
    if before is None and not new:
        raise RuntimeError("a case is moved between tallies only once locked by the lifecycle")
    after = share_of(case)
    if before != after:
        if before is not None:
            _add(CaseTally, dict(zip(CASE_KEY, before.key, strict=True)), before.amounts(-1))
        _add(CaseTally, dict(zip(CASE_KEY, after.key, strict=True)), after.amounts(1))
    setattr(case, _SEEN, after)


def count_visit(visit: Visit, sign: int = 1) -> None:
    """Count a logged visit (`sign` -1: take it out, before its workstation changes)."""
    at = timezone.localtime(visit.visited_at)
    key = {"year": at.year, "month": at.month, "workstation_id": visit.workstation_id}
    _add(VisitTally, key, {"visits": sign, "people": sign * visit.visitor_count})


def _add(model: type[Model], key: dict, amounts: dict) -> None:
    """Add `amounts` to the row of `key`, the first time by creating it."""
    rows = model.objects.filter(**key)
    increments = {field: F(field) + amount for field, amount in amounts.items()}
    if rows.update(**increments):
        return
    try:
        with transaction.atomic():
            model.objects.create(**key, **amounts)
    except IntegrityError:  # another step created the row meanwhile: it is there now
        rows.update(**increments)


# --- recounting ---------------------------------------------------------------


def _month_of(field: str) -> dict:
    zone = timezone.get_default_timezone()
    return {"year": ExtractYear(field, tzinfo=zone), "month": ExtractMonth(field, tzinfo=zone)}


def duration(value) -> timedelta:
    """A sum of durations as the database gave it, as a timedelta."""
    # SQLite adds durations up as microseconds and may leave them so.
    if value is None:
        return NO_TIME
    return value if isinstance(value, timedelta) else timedelta(microseconds=value)


def counted_cases(cases: QuerySet) -> dict[tuple, dict]:
    """Every case tally row, counted from `cases`: key -> amounts."""
    took = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    rows = (
        cases.order_by()
        .annotate(**_month_of("created_at"))
        .values(*CASE_KEY)
        .annotate(cases=Count("pk"), resolved=Count("resolved_at"), time_to_resolve=Sum(took))
    )
    return {
        tuple(row[f] for f in CASE_KEY): {
            "cases": row["cases"],
            "resolved": row["resolved"],
            "time_to_resolve": duration(row["time_to_resolve"]),
        }
        for row in rows
    }


def counted_visits(visits: QuerySet) -> dict[tuple, dict]:
    """Every visit tally row, counted from `visits`: key -> amounts."""
    rows = (
        visits.order_by()
        .annotate(**_month_of("visited_at"))
        .values(*VISIT_KEY)
        .annotate(visits=Count("pk"), people=Sum("visitor_count"))
    )
    return {
        tuple(row[f] for f in VISIT_KEY): {"visits": row["visits"], "people": row["people"]}
        for row in rows
    }


def _stored(model: type[Model], key: tuple[str, ...], amounts: tuple[str, ...]) -> dict:
    rows = model.objects.exclude(**{amounts[0]: 0}).values(*key, *amounts)
    return {tuple(row[f] for f in key): {a: _value(a, row[a]) for a in amounts} for row in rows}


def _value(name: str, value):
    return duration(value) if name == "time_to_resolve" else value


@dataclass(frozen=True)
class Difference:
    table: str
    key: tuple
    stored: dict | None
    counted: dict | None


def _tables(apps: Apps) -> list[tuple]:
    """(tally model, its key, its amounts, their recount) for each tally; the models
    from `apps`, so that a migration passes its own."""
    model = partial(apps.get_model, "visits")
    return [
        (
            model("CaseTally"),
            CASE_KEY,
            ("cases", "resolved", "time_to_resolve"),
            partial(counted_cases, model("Case").objects),
        ),
        (
            model("VisitTally"),
            VISIT_KEY,
            ("visits", "people"),
            partial(counted_visits, model("Visit").objects),
        ),
    ]


def _differences(model, key, amounts, counted: dict) -> list[Difference]:
    stored = _stored(model, key, amounts)
    return [
        Difference(model._meta.db_table, row_key, stored.get(row_key), counted.get(row_key))
        for row_key in sorted(stored.keys() | counted.keys(), key=repr)
        if stored.get(row_key) != counted.get(row_key)
    ]


def compare(apps: Apps = global_apps) -> list[Difference]:
    """Every row where the tallies differ from a recount of the cases and visits."""
    return [
        difference
        for model, key, amounts, recount in _tables(apps)
        for difference in _differences(model, key, amounts, recount())
    ]


def _lock(tables) -> None:
    # On PostgreSQL the tables are locked while they are replaced: a step waits, then
    # counts itself on the new rows.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            names = ", ".join(model._meta.db_table for model, *_ in tables)
            cursor.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")


def _replace(model, key, counted: dict) -> None:
    model.objects.all().delete()
    model.objects.bulk_create(
        [model(**dict(zip(key, k, strict=True)), **a) for k, a in counted.items()],
        batch_size=2000,
    )


@transaction.atomic
def rebuild(apps: Apps = global_apps) -> list[Difference]:
    """Make the tallies equal to a recount; the differences there were."""
    tables = _tables(apps)
    _lock(tables)
    differences = []
    for model, key, amounts, recount in tables:
        counted = recount()
        differences += _differences(model, key, amounts, counted)
        _replace(model, key, counted)
    return differences


class BulkCount:
    """What a bulk load wrote, counted as it goes from the rows in hand, and added to the
    tallies in one go at its end (`add`): a million cases counted without reading one."""

    def __init__(self):
        self.cases: dict[tuple, dict] = {}
        self.visits: dict[tuple, dict] = {}

    def count(self, cases: list[Case], visits: list[Visit]) -> None:
        for case in cases:
            share = share_of(case)
            _sum_into(self.cases, share.key, share.amounts(1))
        for visit in visits:
            at = timezone.localtime(visit.visited_at)
            key = (at.year, at.month, visit.workstation_id)
            _sum_into(self.visits, key, {"visits": 1, "people": visit.visitor_count})

    def merge(self, cases: dict, visits: dict) -> None:
        """Add another count's rows (a process's, of the chunks it wrote)."""
        for mine, theirs in ((self.cases, cases), (self.visits, visits)):
            for key, amounts in theirs.items():
                _sum_into(mine, key, amounts)

    @transaction.atomic
    def add(self) -> None:
        tables = _tables(global_apps)
        _lock(tables)
        for (model, key, amounts, _recount), counted in zip(
            tables, (self.cases, self.visits), strict=True
        ):
            total = _stored(model, key, amounts)
            for row_key, row in counted.items():
                _sum_into(total, row_key, row)
            _replace(model, key, total)


def _sum_into(totals: dict[tuple, dict], key: tuple, amounts: dict) -> None:
    row = totals.setdefault(
        key, {name: NO_TIME if isinstance(a, timedelta) else 0 for name, a in amounts.items()}
    )
    for name, amount in amounts.items():
        row[name] += amount
