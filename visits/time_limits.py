"""The time limits a receipt promises the citizen.

Today the acceptance limit (受理) is a setting, ACCEPTANCE_WORKING_DAYS, read here and
nowhere else; when the office sets its time limits per step and year (in admin), this
module is what reads them instead. The other dates a case must meet are already kept on
the case (`Case.next_due_on`, written by the lifecycle).
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from workdays.calendar import CalendarMissing, add_working_days

from .lifecycle import TERMINAL
from .models import Case, CaseStatus


def acceptance_working_days() -> int:
    """Working days within which the workstation accepts (受理) an online submission."""
    return settings.ACCEPTANCE_WORKING_DAYS


def acceptance_due_on(submitted_on: date) -> date | None:
    """The last day to accept a submission made on `submitted_on`; None while the
    working-day calendar of those days is missing (the receipt then names the limit only)."""
    try:
        return add_working_days(submitted_on, acceptance_working_days())
    except CalendarMissing:
        return None


@dataclass(frozen=True)
class ReceiptLimit:
    """What a receipt says about time: an online submission not yet accepted is accepted
    within `working_days` (by `accept_by` when the calendar knows those days); an accepted
    case names its next deadline, if it has one. An ended case promises nothing."""

    accepted: bool
    working_days: int | None = None
    accept_by: date | None = None
    next_due_on: date | None = None


def receipt_limit(case: Case) -> ReceiptLimit | None:
    if case.status in TERMINAL:
        return None
    if case.status == CaseStatus.SUBMITTED:
        return ReceiptLimit(
            accepted=False,
            working_days=acceptance_working_days(),
            accept_by=case.next_due_on or acceptance_due_on(timezone.localdate(case.created_at)),
        )
    return ReceiptLimit(accepted=True, next_due_on=case.next_due_on)
