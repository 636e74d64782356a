"""How a department answered the referrals sent to it: the counts the public statistics
(public.figures) and the district office's record of the departments (departments.record)
share, so that 响应率 / 解决率 / 满意率 mean one thing on both pages.

Each figure is a filter on Referral (`answer_filters`): a count is the referrals it
keeps, and a drill-down lists exactly those referrals. The callers choose which
referrals are counted (the year's lead referrals, or a period's lead and co referrals).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from .models import OPEN_REFERRAL_STATES, CaseStatus, Satisfaction

FINISHED = (CaseStatus.RESOLVED, CaseStatus.CLOSED)
PLEASED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)

# Counted once per case: a case referred to the same department twice (after a
# reopening) has one citizen's answer.
PER_CASE = frozenset({"rated", "pleased"})


def rate(part: int, whole: int) -> float | None:
    """A share between 0 and 1, or None when there is nothing to divide by."""
    return part / whole if whole else None


def percent(share: float | None) -> str:
    """A share as the pages print it: 82.0%, or a dash when there is none."""
    return "—" if share is None else f"{share * 100:.1f}%"


def local_day(field: str) -> TruncDate:
    """The Beijing-time date of a timestamp, for comparing it with a due date."""
    return TruncDate(field, tzinfo=timezone.get_default_timezone())


def answer_filters(today: date) -> dict[str, Q]:
    """Each answer figure of a department, as a filter on its referrals; "overdue" as of
    `today`."""
    replied = Q(replied_at__isnull=False)
    return {
        "responded": (
            Q(acknowledged_at__isnull=False)
            | Q(replied_at__isnull=False)
            | Q(returned_at__isnull=False)
        ),
        "replied": replied,
        "resolved": replied & Q(case__status__in=FINISHED),
        "rated": replied & ~Q(case__satisfaction=""),
        "pleased": replied & Q(case__satisfaction__in=PLEASED),
        "on_time": replied & Q(LessThanOrEqual(local_day("replied_at"), F("due_on"))),
        # Referral.is_overdue of the reply, counted: open after its due date.
        "overdue": Q(state__in=OPEN_REFERRAL_STATES, due_on__lt=today),
    }


def counted(filters: dict[str, Q], *, per_case: frozenset[str] = PER_CASE) -> dict[str, Count]:
    """Filters as aggregates, each counting the rows it keeps (those in `per_case`: the
    distinct cases), to annotate rows grouped by department."""
    return {
        name: Count("case", distinct=True, filter=q) if name in per_case else Count("pk", filter=q)
        for name, q in filters.items()
    }


def answer_counts(today: date) -> dict[str, Count]:
    """The answer figures as aggregates, to annotate referrals grouped by department."""
    return counted(answer_filters(today))


@dataclass(frozen=True)
class DepartmentFigures:
    """A department's answer figures over some referrals, and the rates made of them."""

    department_id: int
    name: str
    referrals: int
    responded: int
    replied: int
    resolved: int
    rated: int
    pleased: int
    on_time: int
    overdue: int  # open referrals past their due date: late, though not answered yet

    @property
    def response_rate(self) -> float | None:
        return rate(self.responded, self.referrals)

    @property
    def resolution_rate(self) -> float | None:
        return rate(self.resolved, self.referrals)

    @property
    def satisfaction_rate(self) -> float | None:
        return rate(self.pleased, self.rated)

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.on_time, self.replied + self.overdue)


def answered_in_time() -> Q:
    """A supervision answered by the working day the office set (Supervision.answered_in_time,
    as a filter)."""
    return Q(answered_at__isnull=False) & Q(LessThanOrEqual(local_day("answered_at"), F("due_on")))
