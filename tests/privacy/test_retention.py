"""`manage.py anonymise_closed_cases`: a case that ended more than
CLOSED_CASE_RETENTION_DAYS ago has its visitor anonymised and its messages to the citizen
removed, with --apply only; recent and open cases keep theirs; a second run changes
nothing; the figures stay; one audit line with counts, no personal data. On SQLite and,
with DATABASE_URL, on PostgreSQL (whose triggers refuse any write to the timelines)."""

import io

import pytest
from django.core import checks
from django.core.management import call_command

from audit.models import AuditAction, AuditEntry
from notices.models import Notification
from privacy.retention import retention_floor, retention_run
from visits import lifecycle, search
from visits.anonymising import PLACEHOLDER_NAME, scrub
from visits.models import Case, CaseEvent, CaseTally, Visit
from visits.selectors import visits_with_id_number

from .conftest import ADDRESS, ID_NUMBER, NAME, NOW, PHONE, at


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("anonymise_closed_cases", *args, stdout=out)
    return out.getvalue()


def contact(case: Case) -> tuple:
    visit = Visit.objects.get(pk=case.visit_id)
    found_by_id = visits_with_id_number(ID_NUMBER).filter(pk=visit.pk).exists()
    return (visit.visitor_name, visit.visitor_phone, visit.visitor_address,
            visit.visitor_id_number, found_by_id, visit.sms_consent)  # fmt: skip


def figures() -> list:
    cases = Case.objects.order_by("pk").values_list("status", "satisfaction", "closed_at")
    tallies = CaseTally.objects.order_by("pk").values_list("pk", "cases", "resolved")
    return [list(cases), list(tallies)]


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_a_dry_run_counts_and_changes_nothing(held, now):
    before = figures()

    out = run()

    assert "visits: 1" in out and "cases: 1" in out and "messages to citizens: 1" in out
    assert "Dry run" in out
    assert contact(held.old_closed) == (NAME, PHONE, ADDRESS, ID_NUMBER, True, True)
    assert Notification.objects.count() == 3
    assert figures() == before
    assert not AuditEntry.objects.filter(target="retention").exists()


def test_apply_anonymises_the_visit_of_a_case_closed_long_ago(held, now):
    out = run("--apply")

    assert "Done: 1 visits, 1 cases anonymised, 1 messages to citizens removed" in out
    assert contact(held.old_closed) == (PLACEHOLDER_NAME, "", "", "", False, False)
    visit = Visit.objects.get(pk=held.old_closed.visit_id)
    assert visit.anonymised_at == NOW and PHONE not in visit.summary


def test_the_case_text_and_its_search_forget_the_phone(held, now):
    assert search.search(Case.objects.all(), PHONE).filter(pk=held.old_closed.pk).exists()

    run("--apply")

    case = Case.objects.get(pk=held.old_closed.pk)
    assert PHONE not in case.description and case.lookup_code == ""
    assert not search.search(Case.objects.all(), PHONE).filter(pk=case.pk).exists()
    # The timeline is append-only: its notes stay as written.
    assert CaseEvent.objects.filter(case=case, note__contains=PHONE).exists()


def test_recent_closed_and_open_cases_keep_their_visitors(held, now):
    run("--apply")

    for case in (held.recent_closed, held.old_open, held.half_open):
        assert contact(case)[:5] == (NAME, contact(case)[1], ADDRESS, ID_NUMBER, True), case


def test_only_the_citizens_messages_of_the_case_are_removed(held, staff, now):
    run("--apply")

    assert not Notification.objects.filter(case=held.old_closed, user=None).exists()
    assert Notification.objects.filter(case=held.old_closed, user=staff).exists()
    assert Notification.objects.filter(case=held.recent_closed).exists()


def test_the_figures_stay_as_they_were(held, now):
    before = figures()

    run("--apply")

    assert figures() == before


def test_a_second_run_changes_nothing(held, now):
    run("--apply")
    anonymised = Visit.objects.get(pk=held.old_closed.visit_id).anonymised_at

    out = run("--apply")

    assert "visits: 0" in out and "cases: 0" in out and "messages to citizens: 0" in out
    assert Visit.objects.get(pk=held.old_closed.visit_id).anonymised_at == anonymised


def test_the_run_is_one_audit_line_with_counts_and_no_personal_data(held, now):
    run("--apply")

    entry = AuditEntry.objects.get(target="retention")
    assert entry.action == AuditAction.SECURITY
    assert entry.detail == (
        "cases ended before 2026-06-16: 1 visits, 1 cases anonymised, "
        "1 messages to citizens removed"
    )
    assert not any(value in entry.detail for value in (NAME, PHONE, ADDRESS))


def test_the_period_is_the_setting(held, settings):
    settings.CLOSED_CASE_RETENTION_DAYS = 1300

    assert retention_run(now=NOW).visits == 0


def test_a_case_withdrawn_long_ago_counts_from_its_withdrawal(held, staff):
    lifecycle.case_withdraw(case=held.old_open, actor=staff, now=at(3, 4))

    assert retention_run(now=NOW).visits == 2


def test_the_retention_period_has_a_floor(settings):
    settings.CLOSED_CASE_RETENTION_DAYS = 364

    assert [error.id for error in retention_floor(None)] == ["privacy.E001"]
    settings.CLOSED_CASE_RETENTION_DAYS = 365
    assert retention_floor(None) == []


def test_the_floor_is_a_registered_security_check(settings):
    settings.CLOSED_CASE_RETENTION_DAYS = 30

    assert "privacy.E001" in {e.id for e in checks.run_checks(tags=[checks.Tags.security])}


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("电话13812345678", "电话***"),
        ("电话 138 1234 5678 或 029-87654321", "电话 *** 或 ***"),
        ("+86 138-1234-5678", "***"),
        ("案件 XC-2026-000123，身份证后四位1234", "案件 XC-2026-000123，身份证后四位1234"),
    ],
)
def test_phone_numbers_are_scrubbed_from_free_text(text, scrubbed):
    assert scrub(text) == scrubbed
