"""The auditor's view of the log in admin: filtered by action, user and date, searched by
record, and exported as the list stands, as CSV; the export is itself in the log, the
filters named and a search only by its shape."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest

from audit.models import AuditAction, AuditEntry

from ..admin_pages import admin_url

SITE = ZoneInfo("Asia/Shanghai")
LIST = admin_url(AuditEntry, "changelist")
EXPORT = admin_url(AuditEntry, "export")


def on(month: int, day: int) -> datetime.datetime:
    return datetime.datetime(2026, month, day, 10, tzinfo=SITE)


@pytest.fixture
def log(staff, other_staff):
    rows = [
        (staff, AuditAction.REVEAL, "XC-2026-000001", on(3, 2)),
        (staff, AuditAction.DENIED, "XC-2026-000002", on(3, 3)),
        (other_staff, AuditAction.DENIED, "XC-2026-000003", on(4, 1)),
        (other_staff, AuditAction.EXPORT, '=HYPERLINK("http://x")', on(4, 2)),
    ]
    for user, action, target, at in rows:
        AuditEntry.objects.create(user=user, action=action, target=target, at=at)


def listed(client, query: str) -> list[str]:
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    return sorted(entry.target for entry in response.context["cl"].result_list)


def exported(client, query: str) -> list[list[str]]:
    response = client.get(f"{EXPORT}?{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("query", "targets"),
    [
        ("action__exact=denied", ["XC-2026-000002", "XC-2026-000003"]),
        ("at__year=2026&at__month=3", ["XC-2026-000001", "XC-2026-000002"]),
        ("q=000003", ["XC-2026-000003"]),
    ],
    ids=["action", "month", "record"],
)
def test_the_list_filters_by_action_date_and_record(auditor_client, log, query, targets):
    assert listed(auditor_client, query) == targets


def test_the_list_offers_filters_by_action_and_user_and_the_days(auditor_client, log):
    changelist = auditor_client.get(LIST).context["cl"]

    assert [spec.field_path for spec in changelist.filter_specs] == ["action", "user"]
    assert changelist.date_hierarchy == "at"


def test_the_list_filters_by_user(auditor_client, log, other_staff):
    assert listed(auditor_client, f"user__id__exact={other_staff.pk}") == [
        '=HYPERLINK("http://x")',
        "XC-2026-000003",
    ]


def test_the_export_holds_only_the_filtered_rows_newest_first(auditor_client, log, staff):
    rows = exported(auditor_client, f"action__exact=denied&user__id__exact={staff.pk}")

    assert rows == [
        ["time", "user", "address", "action", "record", "detail"],
        ["2026-03-03 10:00:00", "liaison", "", "Access refused", "XC-2026-000002", ""],
    ]


def test_the_export_follows_the_search_and_dates_too(auditor_client, log):
    rows = exported(auditor_client, "at__year=2026&at__month=4&q=XC-2026")

    assert [row[4] for row in rows[1:]] == ["XC-2026-000003"]


def test_a_cell_a_spreadsheet_would_run_is_quoted(auditor_client, log):
    rows = exported(auditor_client, "action__exact=export")

    assert rows[1][4] == '\'=HYPERLINK("http://x")'


def test_the_export_is_logged_with_its_filters_and_a_search_only_by_its_shape(
    auditor_client, auditor, log
):
    exported(auditor_client, "action__exact=denied&q=13812345678")

    entry = AuditEntry.objects.get(user=auditor, action=AuditAction.EXPORT)
    assert entry.target == "audit log.csv"
    assert entry.detail == "action__exact=denied, q=a number, 11 characters"


def test_the_list_links_to_the_export_of_what_it_shows(auditor_client, log):
    response = auditor_client.get(f"{LIST}?action__exact=denied")

    assert f'href="{EXPORT}?action__exact=denied"' in response.content.decode()


def test_a_filter_the_list_does_not_know_exports_nothing(auditor_client, log):
    response = auditor_client.get(f"{EXPORT}?no_such_field=1")

    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?e=1"
    assert not AuditEntry.objects.filter(target="audit log.csv").exists()


def test_a_liaison_with_staff_status_by_mistake_exports_nothing(sign_in, staff, log):
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])

    response = sign_in(staff).get(f"{EXPORT}?action__exact=denied")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT, user=staff).exists()
