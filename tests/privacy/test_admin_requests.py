"""The office records and handles personal information requests in admin: the phone
masked on every page, each step on its own page through the lifecycle with its errors
beside the field; staff, members, liaisons and anonymous visitors reach none of it."""

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from privacy import lifecycle
from privacy.models import DataRequest, RequestKind, RequestStatus

from ..admin_pages import admin_url
from ..signing import force_login
from .conftest import PHONE

ASKED = "申请查阅本人在工作室的全部记录"


@pytest.fixture
def admin_client(client, administrator, english):
    force_login(client, administrator)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def data_request(db) -> DataRequest:
    return lifecycle.request_record(
        data_request=DataRequest(kind=RequestKind.CORRECTION, phone=PHONE, asked=ASKED)
    )


def step_url(data_request: DataRequest, step: str) -> str:
    return reverse("admin:privacy_datarequest_step", args=[data_request.pk, step])


def urls(data_request: DataRequest) -> list[str]:
    return [
        admin_url(DataRequest, "changelist"),
        admin_url(DataRequest, "add"),
        admin_url(DataRequest, "change", data_request.pk),
        step_url(data_request, "refuse"),
        reverse("admin:privacy_datarequest_holdings", args=[data_request.pk]),
    ]


def test_the_office_records_a_request_in_admin(admin_client, administrator):
    response = admin_client.post(
        admin_url(DataRequest, "add"),
        {"kind": RequestKind.ACCESS, "phone": PHONE, "asked": ASKED, "received_on": "2026-12-01"},
    )

    assert response.status_code == 302
    saved = DataRequest.objects.get()
    assert (saved.status, saved.phone, str(saved.received_on)) == (
        RequestStatus.RECEIVED,
        PHONE,
        "2026-12-01",
    )
    entry = AuditEntry.objects.get()
    assert (entry.user, entry.target, entry.detail) == (
        administrator,
        f"datarequest {saved.pk}",
        "added",
    )


def test_a_bad_phone_is_refused_beside_the_field(admin_client):
    response = admin_client.post(
        admin_url(DataRequest, "add"),
        {"kind": RequestKind.ACCESS, "phone": "12", "asked": ASKED, "received_on": "2026-12-01"},
    )

    assert response.status_code == 200
    assert "phone" in response.context["adminform"].form.errors
    assert not DataRequest.objects.exists()


def test_the_phone_is_masked_on_the_list_and_the_change_page(admin_client, data_request):
    for url in urls(data_request)[::2]:
        page = admin_client.get(url).content.decode()
        assert PHONE not in page and "138****5678" in page, url


def test_a_refusal_without_its_reason_is_shown_beside_the_field(admin_client, data_request):
    response = admin_client.post(step_url(data_request, "refuse"), {"reason": ""})

    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert DataRequest.objects.get().status == RequestStatus.RECEIVED


def test_a_correction_closed_without_what_was_corrected_is_refused_beside_the_field(
    admin_client, data_request
):
    response = admin_client.post(step_url(data_request, "complete"), {"outcome": ""})

    assert response.context["form"].errors["outcome"] == ["Write down what was corrected."]
    assert DataRequest.objects.get().status == RequestStatus.RECEIVED


def test_the_office_takes_the_steps_through_their_pages(admin_client, data_request):
    assert admin_client.get(step_url(data_request, "start")).status_code == 200
    admin_client.post(step_url(data_request, "start"))
    response = admin_client.post(step_url(data_request, "complete"), {"outcome": "住址已更正"})

    assert response.status_code == 302
    done = DataRequest.objects.get()
    assert (done.status, done.outcome) == (RequestStatus.DONE, "住址已更正")
    details = AuditEntry.objects.filter(action=AuditAction.ADMIN).values_list("detail", flat=True)
    assert sorted(details) == ["complete: in_progress → done", "start: received → in_progress"]


def test_an_unknown_step_is_not_found(admin_client, data_request):
    assert admin_client.get(step_url(data_request, "erase")).status_code == 404


@pytest.mark.parametrize("persona", ["staff", "member_user", "liaison", None])
def test_nobody_but_the_office_reaches_the_requests(client, request, data_request, persona):
    if persona:
        user = request.getfixturevalue(persona)
        user.is_staff = True  # ticked by mistake: still nothing
        user.save(update_fields=["is_staff"])
        force_login(client, user)

    for url in urls(data_request):
        for response in (client.get(url), client.post(url, {"reason": "x"})):
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("admin:login")), url
    assert DataRequest.objects.get().status == RequestStatus.RECEIVED
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_change_page_offers_only_the_steps_the_status_allows(
    admin_client, administrator, data_request
):
    change = admin_url(DataRequest, "change", data_request.pk)
    page = admin_client.get(change).content.decode()
    assert all(step_url(data_request, s) in page for s in ("start", "complete", "refuse"))

    lifecycle.request_refuse(data_request=data_request, actor=administrator, reason="重复申请")

    page = admin_client.get(change).content.decode()
    assert not any(step_url(data_request, s) in page for s in ("start", "complete", "refuse"))
    assert 'name="_save"' not in page
