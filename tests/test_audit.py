"""The audit log (`audit`): append-only rows, read-only in admin, and the address of
whoever acted, as the reverse proxy reports it (settings.CLIENT_IP_HEADER)."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.urls import reverse

from audit.models import AuditEntry
from audit.services import audit_record, client_address
from tests.signing import force_login

from .factories import UserFactory


@pytest.fixture
def entry(staff):
    return AuditEntry.objects.create(
        user=staff,
        ip_address="10.1.2.3",
        action=AuditEntry.Action.REVEAL,
        target="XC-2026-000001",
        detail="visitor's contact details",
    )


def rows() -> list[dict]:
    return list(AuditEntry.objects.order_by("pk").values())


# --- append-only -----------------------------------------------------------------------------


def test_an_entry_cannot_be_changed_once_written(entry):
    before = rows()
    entry.target = "XC-2026-999999"

    with pytest.raises(TypeError, match="append-only"):
        entry.save()

    assert rows() == before


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(TypeError, match="append-only"):
        entry.delete()

    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "attempt",
    [
        lambda: AuditEntry.objects.update(target="改写"),
        lambda: AuditEntry.objects.filter(action="reveal").update(detail="改写"),
        lambda: AuditEntry.objects.all().delete(),
        lambda: AuditEntry.objects.filter(action="reveal").delete(),
        lambda: AuditEntry.objects.bulk_update(
            [AuditEntry(pk=e.pk, target="改写") for e in AuditEntry.objects.all()], ["target"]
        ),
    ],
    ids=["update", "filtered-update", "delete", "filtered-delete", "bulk-update"],
)
def test_entries_cannot_be_changed_or_deleted_in_bulk(entry, attempt):
    before = rows()

    with pytest.raises(TypeError, match="append-only"), transaction.atomic():
        attempt()

    assert rows() == before


def test_a_user_who_left_traces_in_the_log_cannot_be_deleted(entry, staff):
    with pytest.raises(ProtectedError):
        staff.delete()

    assert AuditEntry.objects.get(pk=entry.pk).user == staff


def test_new_entries_can_still_be_written(entry, staff):
    AuditEntry.objects.create(user=staff, action=AuditEntry.Action.EXPORT, target="cases.csv")

    assert AuditEntry.objects.count() == 2


# --- admin: search, never edit --------------------------------------------------------------


@pytest.fixture(params=["auditor", "superuser"])
def admin_user(request, db):
    if request.param == "superuser":
        return UserFactory(username="root", is_staff=True, is_superuser=True)
    return request.getfixturevalue("auditor")


@pytest.fixture
def admin_browser(client, admin_user):
    force_login(client, admin_user)
    return client


def test_nobody_has_permission_to_add_change_or_delete_an_entry(rf, admin_user, entry):
    model_admin = admin.site._registry[AuditEntry]
    request = rf.get("/")
    request.user = admin_user

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
    assert model_admin.has_view_permission(request, entry)


def test_administrators_cannot_add_an_entry_in_admin(admin_browser, entry):
    url = reverse("admin:audit_auditentry_add")
    before = rows()

    assert admin_browser.get(url).status_code == 403
    assert admin_browser.post(url, {"action": "reveal", "target": "伪造"}).status_code == 403
    assert rows() == before


def test_administrators_can_read_but_not_change_an_entry_in_admin(admin_browser, entry):
    url = reverse("admin:audit_auditentry_change", args=[entry.pk])
    before = rows()

    page = admin_browser.get(url)
    response = admin_browser.post(url, {"action": "export", "target": "改写", "detail": "改写"})

    assert page.status_code == 200
    assert "XC-2026-000001" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert response.status_code == 403
    assert rows() == before


def test_administrators_cannot_delete_an_entry_in_admin(admin_browser, entry):
    before = rows()

    single = admin_browser.post(
        reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    bulk = admin_browser.post(
        reverse("admin:audit_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )

    assert single.status_code == 403
    # The list offers no delete action, so the posted one is ignored and the list shown again.
    assert bulk.status_code == 200 and 'value="delete_selected"' not in bulk.content.decode()
    assert rows() == before


def test_administrators_can_search_the_log(admin_browser, entry, staff):
    AuditEntry.objects.create(user=staff, action=AuditEntry.Action.EXPORT, target="cases.csv")
    url = reverse("admin:audit_auditentry_changelist")

    by_target = admin_browser.get(url, {"q": "XC-2026-000001"}).context["cl"].result_list
    by_address = admin_browser.get(url, {"q": "10.1.2.3"}).context["cl"].result_list
    by_user = admin_browser.get(url, {"q": "liaison"}).context["cl"].result_list
    by_action = admin_browser.get(url, {"action__exact": "export"}).context["cl"].result_list

    assert list(by_target) == [entry]
    assert list(by_address) == [entry]
    assert len(by_user) == 2
    assert [e.target for e in by_action] == ["cases.csv"]


def test_workstation_staff_cannot_open_the_log_in_admin(client, staff, entry):
    force_login(client, staff)

    response = client.get(reverse("admin:audit_auditentry_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# --- the address -----------------------------------------------------------------------------


def request_with(**meta):
    return RequestFactory().get("/", **meta)


def test_the_address_is_the_connections_by_default(settings):
    settings.CLIENT_IP_HEADER = "REMOTE_ADDR"

    assert client_address(request_with(REMOTE_ADDR="192.0.2.1")) == "192.0.2.1"
    assert client_address(request_with(REMOTE_ADDR="192.0.2.1", HTTP_X_REAL_IP="6.6.6.6")) == (
        "192.0.2.1"
    )


def test_behind_a_proxy_the_address_is_the_one_in_the_configured_header(settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"

    assert client_address(request_with(REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="198.51.100.7")) == (
        "198.51.100.7"
    )


def test_a_forwarded_for_list_gives_its_first_address(settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"

    request = request_with(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.0.9")

    assert client_address(request) == "198.51.100.7"


def test_an_ipv6_address_is_kept(settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"

    assert client_address(request_with(HTTP_X_REAL_IP="2001:db8::1")) == "2001:db8::1"


@pytest.mark.parametrize("header", [None, "", "unknown", "<script>", "999.1.1.1"])
def test_without_a_usable_header_the_connections_address_is_used(settings, header):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    meta = {"REMOTE_ADDR": "10.0.0.1"} | ({"HTTP_X_REAL_IP": header} if header is not None else {})

    assert client_address(request_with(**meta)) == "10.0.0.1"


def test_no_address_at_all_is_recorded_as_none(settings):
    settings.CLIENT_IP_HEADER = "REMOTE_ADDR"
    request = request_with()
    del request.META["REMOTE_ADDR"]

    assert client_address(request) is None


def test_an_audited_page_records_the_address_the_proxy_reports(client, staff, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    force_login(client, staff)

    client.get("/cases/export.csv", HTTP_X_REAL_IP="198.51.100.23")

    entry = AuditEntry.objects.get()
    assert (entry.user, entry.action, entry.ip_address) == (
        staff,
        AuditEntry.Action.EXPORT,
        "198.51.100.23",
    )


def test_an_audited_page_with_a_garbled_proxy_header_still_records_the_step(
    client, staff, settings
):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    force_login(client, staff)

    response = client.get("/cases/export.csv", HTTP_X_FORWARDED_FOR="garbage, 10.0.0.9")

    assert response.status_code == 200
    assert AuditEntry.objects.get().ip_address == "127.0.0.1"


# --- what is written ---------------------------------------------------------------------------


def test_an_entry_records_who_when_what_and_from_where(rf, staff):
    request = rf.get("/", REMOTE_ADDR="192.0.2.44")
    request.user = staff

    entry = audit_record(request, AuditEntry.Action.EXPORT, "cases.csv", "status=registered")

    entry.refresh_from_db()
    assert (entry.user, entry.ip_address, entry.action, entry.target, entry.detail) == (
        staff,
        "192.0.2.44",
        "export",
        "cases.csv",
        "status=registered",
    )
    assert entry.at is not None


def test_an_anonymous_entry_has_no_user(rf, db):
    request = rf.get("/")
    request.user = AnonymousUser()

    assert audit_record(request, AuditEntry.Action.EXPORT).user is None


def test_a_long_detail_is_cut_to_fit_rather_than_lost(rf, staff):
    request = rf.get("/")
    request.user = staff

    entry = audit_record(request, AuditEntry.Action.EXPORT, "cases.csv", "q=" + "物" * 400)

    entry.refresh_from_db()
    assert len(entry.detail) == 300
    assert entry.detail.startswith("q=物")


def test_a_long_export_query_is_audited_without_error(client, staff):
    force_login(client, staff)

    response = client.get("/cases/export.csv", {"q": "物" * 100, "status": "registered"})

    assert response.status_code == 200
    assert len(AuditEntry.objects.get().detail) <= 300


# --- searches leave no personal data -------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "described"),
    [
        ("13912345678", "搜索：号码，11 个字符"),
        ("139 1234 5678", "搜索：号码，13 个字符"),
        ("61010219800101123X", "搜索：号码，18 个字符"),
        ("王小明", "搜索：文字，3 个字符"),
    ],
)
def test_an_export_searching_a_phone_or_name_records_that_a_search_was_made_not_the_term(
    client, staff, term, described
):
    force_login(client, staff)

    response = client.get("/cases/export.csv", {"q": term, "status": "registered"})

    assert response.status_code == 200
    detail = AuditEntry.objects.get().detail
    assert detail == f"{described} · 状态：已登记"
    assert term not in detail and term[-4:] not in detail


def test_an_export_is_audited_in_the_words_of_its_filters_not_as_a_query(
    client, staff, workstation
):
    force_login(client, staff)

    client.get(
        "/cases/export.xlsx",
        {"status": "referred", "workstation": workstation.pk, "overdue": "on", "contacts": "1"},
    )

    assert AuditEntry.objects.get().detail == (
        "委员工作室：西一路街道委员工作室 · 状态：已转办 · 仅看逾期 · 含完整联系方式"
    )


def test_an_export_records_none_of_the_parameters_it_does_not_read(client, staff):
    force_login(client, staff)

    client.get("/cases/export.csv", {"phone": "13912345678", "13912345678": "1"})

    assert AuditEntry.objects.get().detail == ""
