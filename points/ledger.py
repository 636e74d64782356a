"""The points ledger: the only writer of PointEntry.

`sync` brings the entries of some source rows in line with their facts: a new fact is
scored once under the year's rule for its category, a fact that no longer holds has its
entry reversed, a fact already scored is left alone (saving again never scores twice).
The signals call it on commit whenever a source row changes; `rebuild` compares the
whole ledger with the facts and reports (and, asked to, repairs) every difference.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .facts import Fact, facts
from .models import PointEntry, PointRule


def _rules(years: Iterable[int]) -> dict[tuple[int, str], PointRule]:
    return {
        (rule.scoring_year.year, rule.category): rule
        for rule in PointRule.objects.filter(scoring_year__year__in=set(years)).select_related(
            "scoring_year"
        )
    }


def _scored(found: set[Fact]) -> dict[tuple, tuple[Fact, PointRule]]:
    """The facts a rule scores, by key; a fact whose year has no rule for it scores nothing."""
    rules = _rules(f.year for f in found)
    return {f.key: (f, rules[(f.year, f.category)]) for f in found if (f.year, f.category) in rules}


def _entry(fact: Fact, rule: PointRule) -> PointEntry:
    return PointEntry(
        member_id=fact.member_id,
        year=fact.year,
        category=fact.category,
        points=rule.points,
        rule=rule,
        rule_version=rule.version,
        source_type_id=fact.source_type_id,
        source_id=fact.source_id,
        occurred_on=fact.occurred_on,
    )


def _same(entry: PointEntry, fact: Fact) -> bool:
    return entry.occurred_on == fact.occurred_on


@transaction.atomic
def sync(sources: dict[type[models.Model], Iterable[int]]) -> tuple[int, int]:
    """Score the new facts of these source rows and reverse the entries of facts gone.
    Returns (entries written, entries reversed)."""
    sources = {model: list(pks) for model, pks in sources.items()}
    expected = _scored(facts(sources))
    active = list(
        PointEntry.objects.select_for_update()
        .filter(_of_sources(sources), reversed_at__isnull=True)
        .order_by("pk")
    )
    now = timezone.now()
    gone = [
        e
        for e in active
        if (key := (e.member_id, e.category, e.source_type_id, e.source_id)) not in expected
        or not _same(e, expected[key][0])
    ]
    if gone:
        PointEntry.objects.filter(pk__in=[e.pk for e in gone]).update(reversed_at=now)
    kept = {
        (e.member_id, e.category, e.source_type_id, e.source_id) for e in active if e not in gone
    }
    written = 0
    for key, (fact, rule) in expected.items():
        if key in kept:
            continue
        try:
            with transaction.atomic():
                _entry(fact, rule).save()
                written += 1
        except IntegrityError:
            pass  # another commit scored the same fact meanwhile: once is enough
    return written, len(gone)


def _of_sources(sources: dict[type[models.Model], list[int]]) -> models.Q:
    condition = models.Q(pk__in=[])
    for model, pks in sources.items():
        if pks:
            ct = ContentType.objects.get_for_model(model)
            condition |= models.Q(source_type=ct, source_id__in=pks)
    return condition


@dataclass
class Difference:
    kind: str  # "missing", "extra" or "changed"
    key: tuple
    detail: str


@dataclass
class Comparison:
    differences: list[Difference] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.differences


def compare() -> Comparison:
    """Every difference between the active ledger and what the facts score now."""
    expected = _scored(facts())
    active = {
        (e.member_id, e.category, e.source_type_id, e.source_id): e
        for e in PointEntry.objects.filter(reversed_at__isnull=True)
    }
    result = Comparison()
    for key, (fact, rule) in sorted(expected.items()):
        entry = active.get(key)
        if entry is None:
            result.differences.append(Difference("missing", key, f"{rule.points} {fact.year}"))
        elif not _same(entry, fact) or entry.points != rule.points or entry.rule_id != rule.pk:
            result.differences.append(
                Difference(
                    "changed",
                    key,
                    f"{entry.points}@v{entry.rule_version} {entry.occurred_on} → "
                    f"{rule.points}@v{rule.version} {fact.occurred_on}",
                )
            )
    for key in sorted(active.keys() - expected.keys()):
        entry = active[key]
        result.differences.append(Difference("extra", key, f"{entry.points} {entry.year}"))
    return result


@transaction.atomic
def rebuild() -> Comparison:
    """Make the ledger equal to the facts: reverse what no fact supports or scores
    differently now, score what is missing. Returns what was different before."""
    before = compare()
    by_model: dict[int, set[int]] = defaultdict(set)
    changed = [d.key for d in before.differences if d.kind == "changed"]
    if changed:
        now = timezone.now()
        for member_id, category, source_type_id, source_id in changed:
            PointEntry.objects.filter(
                member_id=member_id,
                category=category,
                source_type_id=source_type_id,
                source_id=source_id,
                reversed_at__isnull=True,
            ).update(reversed_at=now)
    for difference in before.differences:
        by_model[difference.key[2]].add(difference.key[3])
    sync(
        {
            ContentType.objects.get_for_id(type_id).model_class(): pks
            for type_id, pks in by_model.items()
        }
    )
    return before
