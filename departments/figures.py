"""The departments' record (部门履职情况): how each department handled the referrals it
received over a period, for the district office.

The referrals counted are those sent to the department during the period, as lead or
co-handling department (or one role, when asked), cancelled ones aside: the case ended
before the department owed anything. Its extension requests and the supervisions of its
work are those of these referrals. 响应率 / 解决率 / 满意率 and the on-time replies are
counted as the public statistics count them (visits.department_figures).

Each figure is a filter (`FIGURES`), so that its drill-down lists exactly what it
counted. The whole table takes four queries, whatever the number of departments.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import F, Q, QuerySet
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from visits.department_figures import (
    PER_CASE,
    DepartmentFigures,
    answer_filters,
    answered_in_time,
    counted,
    local_day,
    rate,
)
from visits.models import Extension, ExtensionState, Referral, ReferralState, Supervision
from workstations.models import Department


@dataclass(frozen=True)
class Period:
    """From one day to another, both included (Beijing time)."""

    first: date
    last: date

    def bounds(self) -> tuple[datetime, datetime]:
        """The first instant of the period and the first after it."""
        zone = timezone.get_default_timezone()
        start = datetime.combine(self.first, time.min, tzinfo=zone)
        return start, datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=zone)


def _acknowledgement_filters(today: date) -> dict[str, Q]:
    with_limit = Q(acknowledge_due_on__isnull=False)
    signed = Q(acknowledged_at__isnull=False)
    # Sent back (退回) before signing for it: the department answered the referral.
    returned_unsigned = Q(acknowledged_at__isnull=True, returned_at__isnull=False)
    return {
        # Signed for or sent back, or neither once the limit has passed: those that owed it.
        "acknowledgements_due": with_limit
        & (
            signed
            | returned_unsigned
            | Q(acknowledged_at__isnull=True, acknowledge_due_on__lt=today)
        ),
        "acknowledged_on_time": with_limit
        & (
            (signed & Q(LessThanOrEqual(local_day("acknowledged_at"), F("acknowledge_due_on"))))
            | (
                returned_unsigned
                & Q(LessThanOrEqual(local_day("returned_at"), F("acknowledge_due_on")))
            )
        ),
    }


def referral_filters(today: date) -> dict[str, Q]:
    """The figures counted on the referrals themselves."""
    return {
        "received": Q(),
        "as_lead": Q(role=Referral.Role.LEAD),
        **_acknowledgement_filters(today),
        **answer_filters(today),
        "returned": Q(returned_at__isnull=False),
    }


EXTENSION_FILTERS = {
    "extensions": Q(),
    "extensions_granted": Q(state=ExtensionState.GRANTED),
    "extensions_refused": Q(state=ExtensionState.REFUSED),
}
SUPERVISION_FILTERS = {
    "supervisions": Q(),
    "supervisions_answered_in_time": answered_in_time(),
}

# The workbook's columns, in order: the counts, then the rates made of them.
COUNTED = (
    "received", "as_lead", "acknowledgements_due", "acknowledged_on_time", "responded",
    "replied", "on_time", "overdue", "returned", "extensions", "extensions_granted",
    "extensions_refused", "supervisions", "supervisions_answered_in_time", "resolved",
    "rated", "pleased",
)  # fmt: skip
RATES = (
    "acknowledgement_rate", "on_time_rate", "response_rate", "resolution_rate",
    "satisfaction_rate",
)  # fmt: skip

LABELS = {
    "received": _("Referrals received"),
    "as_lead": _("As lead department"),
    "acknowledgements_due": _("Owed a signature"),
    "acknowledged_on_time": _("Signed for on time"),
    "acknowledgement_rate": _("Signed for on time (rate)"),
    "responded": _("Responded"),
    "replied": _("Replied"),
    "on_time": _("Replied on time"),
    "on_time_rate": _("On-time reply rate"),
    "returned": _("Returned"),
    "extensions": _("Extension requests"),
    "extensions_granted": _("Extensions granted"),
    "extensions_refused": _("Extensions refused"),
    "supervisions": _("Supervisions"),
    "supervisions_answered_in_time": _("Supervisions answered in time"),
    "resolved": _("Resolved"),
    "response_rate": _("Response rate"),
    "resolution_rate": _("Resolution rate"),
    "rated": _("Followed up"),
    "pleased": _("Satisfied or basically satisfied"),
    "satisfaction_rate": _("Satisfaction rate"),
    "overdue": _("Overdue now"),
}

DEFINITIONS = {
    "received": _(
        "Referrals sent to the department during the period, as lead or co-handling "
        "department; referrals cancelled because the case ended are left out."
    ),
    "acknowledgement_rate": _(
        "Referrals signed for (签收), or sent back before being signed for, on or before "
        "their time limit (Beijing time), divided by the referrals signed for or sent back "
        "and those neither once their limit passed. Referrals sent before signing for had "
        "a time limit are left out."
    ),
    "on_time_rate": _(
        "Replies given on or before their due date (Beijing time), divided by the replies "
        "and the referrals with no reply yet once their due date has passed: a referral "
        "never answered counts as late."
    ),
    "returned": _("Referrals the department sent back with a reason (退回)."),
    "extensions": _(
        "The department's requests for more time (延期) on these referrals, granted, "
        "refused or still waiting for the office."
    ),
    "supervisions": _(
        "Supervisions (督办) the office opened on these referrals; answered in time means "
        "answered on or before the date the office set."
    ),
    "response_rate": _(
        "Referrals the department acknowledged, replied to or returned, divided by its referrals."
    ),
    "resolution_rate": _(
        "Referrals the department replied to whose case is now resolved or closed, divided by "
        "its referrals."
    ),
    "satisfaction_rate": _(
        "Cases the department replied to whose citizen was satisfied or basically satisfied "
        "at the latest follow-up, divided by those cases followed up so far."
    ),
    "overdue": _("Referrals still waiting for the department's reply after their due date."),
}


@dataclass(frozen=True)
class DepartmentRecord:
    department: Department
    answers: DepartmentFigures
    counts: dict[str, int]

    def __getitem__(self, figure: str) -> int:
        return self.counts[figure]

    @property
    def acknowledgement_rate(self) -> float | None:
        return rate(self.counts["acknowledged_on_time"], self.counts["acknowledgements_due"])

    @property
    def replies_owed(self) -> int:
        """The on-time rate's whole: the replies given, and those late and not given yet."""
        return self.counts["replied"] + self.counts["overdue"]

    @property
    def on_time_rate(self) -> float | None:
        return self.answers.on_time_rate

    @property
    def response_rate(self) -> float | None:
        return self.answers.response_rate

    @property
    def resolution_rate(self) -> float | None:
        return self.answers.resolution_rate

    @property
    def satisfaction_rate(self) -> float | None:
        return self.answers.satisfaction_rate


def received(period: Period, role: str = "") -> QuerySet[Referral]:
    """The referrals the record counts: sent during the period, in the role if one is
    given, not cancelled."""
    start, end = period.bounds()
    referrals = Referral.objects.filter(sent_at__gte=start, sent_at__lt=end).exclude(
        state=ReferralState.CANCELLED
    )
    return referrals.filter(role=role) if role else referrals


def _grouped(rows: QuerySet, key: str, counts: dict) -> dict[int, dict[str, int]]:
    return {row.pop(key): row for row in rows.order_by().values(key).annotate(**counts)}


def records(period: Period, *, role: str = "", today: date | None = None) -> list[DepartmentRecord]:
    """A record per department, by name: the active departments and any other that
    received referrals in the period. Four queries."""
    today = today or timezone.localdate()
    referrals = received(period, role)
    by_referrals = _grouped(referrals, "department_id", counted(referral_filters(today)))
    by_extensions = _grouped(
        Extension.objects.filter(referral__in=referrals),
        "referral__department_id",
        counted(EXTENSION_FILTERS, per_case=frozenset()),
    )
    by_supervisions = _grouped(
        Supervision.objects.filter(referral__in=referrals),
        "referral__department_id",
        counted(SUPERVISION_FILTERS, per_case=frozenset()),
    )
    zero = dict.fromkeys([*referral_filters(today), *EXTENSION_FILTERS, *SUPERVISION_FILTERS], 0)
    shown = Department.objects.filter(Q(is_active=True) | Q(pk__in=list(by_referrals)))
    rows = []
    for department in shown.order_by("name"):
        counts = zero | by_referrals.get(department.pk, {})
        counts |= by_extensions.get(department.pk, {}) | by_supervisions.get(department.pk, {})
        answers = DepartmentFigures(
            department_id=department.pk,
            name=department.name,
            referrals=counts["received"],
            **{name: counts[name] for name in answer_filters(today)},
        )
        rows.append(DepartmentRecord(department, answers, counts))
    return rows


@dataclass(frozen=True)
class Behind:
    """One line behind a figure: the referral, and the extension or supervision counted."""

    referral: Referral
    item: Extension | Supervision | None = None


def _referrals_behind(referrals: QuerySet[Referral], figure: str, today: date) -> list[Behind]:
    rows = referrals.filter(referral_filters(today)[figure])
    rows = rows.select_related("case__workstation").order_by("sent_at", "pk")
    if figure not in PER_CASE:
        return [Behind(r) for r in rows]
    seen = set()  # the figure counts a case once: its first referral stands for it
    return [Behind(r) for r in rows if not (r.case_id in seen or seen.add(r.case_id))]


def _items_behind(model, filters: dict[str, Q]) -> Callable:
    def behind(referrals: QuerySet[Referral], figure: str, today: date) -> list[Behind]:
        items = (
            model.objects.filter(referral__in=referrals)
            .filter(filters[figure])
            .select_related("referral__case__workstation")
            .order_by("referral__sent_at", "referral_id", "pk")
        )
        return [Behind(item.referral, item) for item in items]

    return behind


def figures_behind() -> dict[str, Callable]:
    """Each figure that has a drill-down, and how to list what it counted."""
    # The filters' names only: they are the same whatever the day.
    referral = dict.fromkeys(referral_filters(date.min), _referrals_behind)
    return (
        referral
        | dict.fromkeys(EXTENSION_FILTERS, _items_behind(Extension, EXTENSION_FILTERS))
        | dict.fromkeys(SUPERVISION_FILTERS, _items_behind(Supervision, SUPERVISION_FILTERS))
    )


DRILLS = figures_behind()


def item_kind(figure: str) -> str:
    """What a figure's drill-down lists besides the referral: an extension, a supervision
    or nothing."""
    if figure in EXTENSION_FILTERS:
        return "extension"
    return "supervision" if figure in SUPERVISION_FILTERS else ""


def behind(
    department: Department, figure: str, period: Period, *, role: str = "", today=None
) -> list[Behind]:
    """Exactly the referrals (or their extensions, supervisions) one figure of one
    department counted in the period. Figures not in DRILLS are a KeyError."""
    today = today or timezone.localdate()
    referrals = received(period, role).filter(department=department)
    return DRILLS[figure](referrals, figure, today)
