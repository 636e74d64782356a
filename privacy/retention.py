"""How long a citizen's personal data is kept after their case ended: at least
CLOSED_CASE_RETENTION_DAYS (365 days at the least), then anonymised by
`manage.py anonymise_closed_cases --apply`. The same anonymisation serves a citizen's
request for deletion (privacy.lifecycle). Visits (visits.anonymising) and the messages
to citizens (notices.anonymising) each write their own part; this module joins them in
one transaction with one line of the audit log."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from notices.anonymising import citizen_notifications, citizen_notifications_purge
from visits.anonymising import visits_anonymise, visits_count, visits_ended
from visits.models import Case, Visit

RETENTION_FLOOR_DAYS = 365


@dataclass(frozen=True)
class Report:
    """How many rows of each kind were anonymised or removed (or would be, dry)."""

    visits: int = 0
    cases: int = 0
    notifications: int = 0

    def __str__(self) -> str:
        return (
            f"{self.visits} visits, {self.cases} cases anonymised, "
            f"{self.notifications} messages to citizens removed"
        )


def retention_cutoff(*, now: datetime.datetime | None = None) -> datetime.datetime:
    """Cases that ended before this moment are past their retention period."""
    return (now or timezone.now()) - datetime.timedelta(days=settings.CLOSED_CASE_RETENTION_DAYS)


def anonymise(
    visits: QuerySet[Visit],
    *,
    apply: bool,
    target: str,
    why: str,
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> Report:
    """Anonymise the visits, their cases' text and their messages to citizens, audited
    as one line naming `target` and `why` with the counts (never a value); counted only
    without `apply`."""
    if not apply:
        counted = visits_count(visits)
        cases = Case.objects.filter(visit__in=visits).values("pk")
        return Report(counted.visits, counted.cases, citizen_notifications(cases).count())
    with transaction.atomic():
        counted, case_ids = visits_anonymise(visits, now=now)
        report = Report(counted.visits, counted.cases, citizen_notifications_purge(case_ids))
        audit_record(request, AuditAction.SECURITY, target, f"{why}: {report}")
    return report


def retention_run(*, apply: bool = False, now: datetime.datetime | None = None) -> Report:
    """The visits whose cases all ended before the retention period, anonymised with
    `apply`, counted without. A second run finds nothing: they are stamped."""
    cutoff = retention_cutoff(now=now)
    return anonymise(
        visits_ended(before=cutoff),
        apply=apply,
        target="retention",
        why=f"cases ended before {timezone.localdate(cutoff):%Y-%m-%d}",
        now=now,
    )


def retention_floor(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if settings.CLOSED_CASE_RETENTION_DAYS >= RETENTION_FLOOR_DAYS:
        return []
    return [
        checks.Error(
            f"CLOSED_CASE_RETENTION_DAYS is {settings.CLOSED_CASE_RETENTION_DAYS}: a closed "
            f"case's personal data is kept {RETENTION_FLOOR_DAYS} days at least.",
            id="privacy.E001",
        )
    ]
