"""An access request's file: everything held about the number (its visits, their cases
with the timeline as the citizen sees it and the replies, the messages sent to it), a
ZIP of JSON downloaded on a POST that is audited, named without the number; a number
with no records is told plainly to the office, and no file is made."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from privacy import lifecycle
from privacy.holdings import holdings_of
from privacy.models import DataRequest, RequestKind
from visits import lifecycle as case_lifecycle

from ..signing import force_login
from .conftest import ADDRESS, ID_NUMBER, NAME, NOW, PHONE

UNKNOWN = "13700002222"


@pytest.fixture
def admin_client(client, administrator, english):
    force_login(client, administrator)
    client.cookies["django_language"] = "en"
    return client


def access_request(phone: str) -> DataRequest:
    return lifecycle.request_record(
        data_request=DataRequest(kind=RequestKind.ACCESS, phone=phone, asked="查阅本人信息")
    )


def holdings_url(data_request: DataRequest) -> str:
    return reverse("admin:privacy_datarequest_holdings", args=[data_request.pk])


def unzipped(content: bytes) -> dict[str, list]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: json.loads(archive.read(name)) for name in archive.namelist()}


def test_the_holdings_are_the_numbers_visits_cases_and_messages(held):
    holdings = holdings_of(PHONE)

    assert [v["name"] for v in holdings.visits] == [NAME, NAME]
    assert {v["address"] for v in holdings.visits} == {ADDRESS}
    assert {v["id_number"] for v in holdings.visits} == {ID_NUMBER}
    assert held.old_closed.number in {c["number"] for c in holdings.cases}
    assert len(holdings.cases) == 3 and len(holdings.messages) == 1
    timeline = next(c for c in holdings.cases if c["number"] == held.old_closed.number)
    # The timeline as the citizen sees it: the step, not the staff's internal note.
    assert [e["text"] for e in timeline["timeline"]] == [""]
    assert timeline["timeline"][0]["step"]


def test_the_page_shows_counts_and_not_the_number(admin_client, held):
    page = admin_client.get(holdings_url(access_request(PHONE))).content.decode()

    assert "2 visits, 3 cases, 1 messages" in page and PHONE not in page
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_file_is_downloaded_on_a_post_and_audited(admin_client, administrator, held):
    data_request = access_request(PHONE)

    response = admin_client.post(holdings_url(data_request))

    assert response["Content-Type"] == "application/zip"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and PHONE not in disposition
    files = unzipped(response.content)
    assert sorted(files) == ["cases.json", "messages.json", "visits.json"]
    assert files["visits.json"][0]["phone"] == PHONE
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert (entry.user, entry.target) == (administrator, f"datarequest {data_request.pk}")
    assert PHONE not in entry.detail and NAME not in entry.detail


def test_a_number_with_no_records_is_told_plainly_and_gets_no_file(admin_client, held):
    data_request = access_request(UNKNOWN)

    page = admin_client.get(holdings_url(data_request)).content.decode()
    change = admin_client.get(
        reverse("admin:privacy_datarequest_change", args=[data_request.pk])
    ).content.decode()
    response = admin_client.post(holdings_url(data_request))

    assert "No records are held about this number." in page
    assert "No records are held about this number." in change
    assert 'id="data-request-holdings-form"' not in page
    assert response["Content-Type"].startswith("text/html")
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_an_anonymised_number_has_no_records_left(held, administrator, staff):
    case_lifecycle.case_withdraw(case=held.half_open, actor=staff, now=NOW)
    lifecycle.request_complete(
        data_request=lifecycle.request_record(
            data_request=DataRequest(kind=RequestKind.DELETION, phone=PHONE, asked="删除")
        ),
        actor=administrator,
        now=NOW,
    )

    assert holdings_of(PHONE).is_empty
