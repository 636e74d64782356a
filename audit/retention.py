"""How long the audit log is kept: at least AUDIT_RETENTION_DAYS (183 days, six months,
at the least), then purged by `manage.py purge_audit` alone. On PostgreSQL the table's
trigger holds the same floor by the database's own clock (audit.appendonly)."""

import datetime

from django.conf import settings
from django.core import checks
from django.db import connection, models, transaction
from django.utils import timezone

from .appendonly import AUDIT_RETENTION_FLOOR_DAYS, PURGE_SETTING
from .models import AuditAction, AuditEntry


class PurgeRefused(Exception):
    pass


def latest_purgeable_day(*, now: datetime.datetime | None = None) -> datetime.date:
    """The latest `before` a purge may name: AUDIT_RETENTION_DAYS before today."""
    today = timezone.localdate(now or timezone.now())
    return today - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)


def audit_purge(
    *, before: datetime.date, apply: bool = False, now: datetime.datetime | None = None
) -> int:
    """The number of audit entries written before the day `before` (site time), deleted
    with `apply`, counted only without. A day within the retention period is refused.
    The purge itself is written to the log, which it never empties."""
    latest = latest_purgeable_day(now=now)
    if before > latest:
        raise PurgeRefused(
            f"Audit entries are kept {settings.AUDIT_RETENTION_DAYS} days: "
            f"--before may be {latest:%Y-%m-%d} at the latest."
        )
    cutoff = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
    older = AuditEntry.objects.filter(at__lt=cutoff)
    if not apply:
        return older.count()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The trigger lets a DELETE through for rows older than this, in this
            # transaction only.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config(%s, %s, true)", [PURGE_SETTING, cutoff.isoformat()]
                )
        # The append-only queryset refuses deletes; this is the one that may.
        deleted, _by_model = models.QuerySet.delete(older)
        AuditEntry.objects.create(
            at=now or timezone.now(),
            action=AuditAction.SECURITY,
            target="audit log",
            detail=f"purged {deleted} entries before {before:%Y-%m-%d}",
        )
    return deleted


def retention_floor(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if settings.AUDIT_RETENTION_DAYS >= AUDIT_RETENTION_FLOOR_DAYS:
        return []
    return [
        checks.Error(
            f"AUDIT_RETENTION_DAYS is {settings.AUDIT_RETENTION_DAYS}: the audit log is "
            f"kept {AUDIT_RETENTION_FLOOR_DAYS} days at least.",
            id="audit.E001",
        )
    ]
