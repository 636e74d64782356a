"""`manage.py purge_audit --before DAY`: the audit log is kept AUDIT_RETENTION_DAYS (183
at least), counted by a dry run, deleted with --apply, and a day within the period is
refused. On PostgreSQL the table's trigger lets only this command's DELETE through
(test_append_only_triggers.py)."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core import checks
from django.core.management import CommandError, call_command

from audit.models import AuditAction, AuditEntry

SITE = ZoneInfo("Asia/Shanghai")


def on(year: int, month: int, day: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, 10, tzinfo=SITE)


@pytest.fixture
def log(staff, time_machine):
    """Three entries, on 1 March 2001, 1 June 2003 and 20 May 2004; today is 1 June 2004,
    so 183 days ago is 1 December 2003."""
    time_machine.move_to(on(2004, 6, 1), tick=False)
    return [
        AuditEntry.objects.create(user=staff, action=AuditAction.VISIT, target=target, at=at)
        for target, at in [
            ("XC-OLD", on(2001, 3, 1)),
            ("XC-MIDDLE", on(2003, 6, 1)),
            ("XC-YOUNG", on(2004, 5, 20)),
        ]
    ]


def purge(*args: str) -> str:
    out = io.StringIO()
    call_command("purge_audit", *args, stdout=out)
    return out.getvalue()


def targets() -> list[str]:
    return list(AuditEntry.objects.order_by("at").values_list("target", flat=True))


def test_a_dry_run_counts_and_deletes_nothing(log):
    out = purge("--before", "2003-07-01")

    assert "2 entries before 2003-07-01 would be deleted" in out
    assert targets() == ["XC-OLD", "XC-MIDDLE", "XC-YOUNG"]


def test_apply_deletes_only_the_entries_before_the_day_and_logs_the_purge(log):
    out = purge("--before", "2003-06-01", "--apply")

    assert "1 entries before 2003-06-01 deleted" in out
    assert targets() == ["XC-MIDDLE", "XC-YOUNG", "audit log"]
    line = AuditEntry.objects.get(target="audit log")
    assert (line.action, line.detail) == (
        AuditAction.SECURITY,
        "purged 1 entries before 2003-06-01",
    )


def test_the_last_day_of_the_retention_period_may_be_named(log):
    purge("--before", "2003-12-01", "--apply")

    assert targets() == ["XC-YOUNG", "audit log"]


@pytest.mark.parametrize("apply", [[], ["--apply"]], ids=["dry-run", "apply"])
def test_a_day_within_the_retention_period_is_refused_and_nothing_changes(log, apply):
    with pytest.raises(CommandError, match="kept 183 days: --before may be 2003-12-01"):
        purge("--before", "2003-12-02", *apply)

    assert targets() == ["XC-OLD", "XC-MIDDLE", "XC-YOUNG"]


def test_a_longer_retention_setting_refuses_more(log, settings):
    settings.AUDIT_RETENTION_DAYS = 366

    with pytest.raises(CommandError, match="--before may be 2003-06-01"):
        purge("--before", "2003-07-01", "--apply")

    assert targets() == ["XC-OLD", "XC-MIDDLE", "XC-YOUNG"]


@pytest.mark.parametrize(("days", "refused"), [(182, True), (183, False), (400, False)])
def test_a_retention_setting_below_183_days_fails_the_system_check(settings, days, refused):
    settings.AUDIT_RETENTION_DAYS = days

    registered = {message.id for message in checks.run_checks(tags=[checks.Tags.security])}

    assert ("audit.E001" in registered) is refused
