"""A personal information request's life: received → in progress → done or refused,
each step in the table, audited without the citizen's words; a correction says what was
corrected; a deletion anonymises the number's ended cases with the retention's function,
and is refused while a case of the number is open."""

import pytest

from audit.models import AuditAction, AuditEntry
from privacy import lifecycle
from privacy.lifecycle import DataRequestError
from privacy.models import DataRequest, RequestKind, RequestStatus
from visits import lifecycle as case_lifecycle
from visits.anonymising import PLACEHOLDER_NAME
from visits.models import Visit

from .conftest import NOW, OTHER_PHONE, PHONE


def recorded(kind=RequestKind.ACCESS, phone=PHONE) -> DataRequest:
    return lifecycle.request_record(
        data_request=DataRequest(kind=kind, phone=phone, asked="请提供我的全部个人信息")
    )


def lines() -> list[tuple[str, str]]:
    return list(
        AuditEntry.objects.filter(target__startswith="datarequest")
        .order_by("pk")
        .values_list("action", "detail")
    )


def test_a_request_is_recorded_as_received(db):
    data_request = recorded()

    assert data_request.status == RequestStatus.RECEIVED and data_request.closed_on is None


def test_a_bad_phone_is_refused_and_nothing_is_saved(db, english):
    with pytest.raises(DataRequestError, match="Enter a mobile number"):
        recorded(phone="12")

    assert not DataRequest.objects.exists()


def test_start_then_done_closes_the_request_and_audits_each_step(administrator):
    data_request = recorded()

    lifecycle.request_start(data_request=data_request, actor=administrator, now=NOW)
    done = lifecycle.request_complete(data_request=data_request, actor=administrator, now=NOW)

    assert (done.status, done.handled_by, done.closed_on) == (
        RequestStatus.DONE,
        administrator,
        NOW.date(),
    )
    assert lines() == [
        (AuditAction.ADMIN, "start: received → in_progress"),
        (AuditAction.ADMIN, "complete: in_progress → done"),
    ]


def test_a_closed_request_takes_no_further_step(administrator, english):
    data_request = recorded()
    lifecycle.request_complete(data_request=data_request, actor=administrator, now=NOW)

    with pytest.raises(DataRequestError, match="cannot be changed"):
        lifecycle.request_refuse(data_request=data_request, actor=administrator, reason="重复")

    assert DataRequest.objects.get().status == RequestStatus.DONE


def test_a_refusal_needs_its_reason(administrator, english):
    with pytest.raises(DataRequestError, match="reason"):
        lifecycle.request_refuse(data_request=recorded(), actor=administrator, reason=" ")

    assert DataRequest.objects.get().status == RequestStatus.RECEIVED


def test_a_refusal_keeps_its_reason(administrator):
    refused = lifecycle.request_refuse(
        data_request=recorded(), actor=administrator, reason="无法核实申请人身份", now=NOW
    )

    assert (refused.status, refused.outcome) == (RequestStatus.REFUSED, "无法核实申请人身份")
    assert "无法核实" not in lines()[-1][1]


def test_a_correction_is_done_only_with_what_was_corrected(administrator, english):
    data_request = recorded(RequestKind.CORRECTION)

    with pytest.raises(DataRequestError, match="what was corrected"):
        lifecycle.request_complete(data_request=data_request, actor=administrator)
    done = lifecycle.request_complete(
        data_request=data_request, actor=administrator, outcome="住址更正为西一路10号"
    )

    assert done.outcome == "住址更正为西一路10号"


def test_a_deletion_is_refused_while_a_case_of_the_number_is_open(held, administrator, english):
    data_request = recorded(RequestKind.DELETION)

    with pytest.raises(DataRequestError, match="still open"):
        lifecycle.request_complete(data_request=data_request, actor=administrator, now=NOW)

    assert Visit.objects.filter(visitor_phone=PHONE).count() == 2
    assert DataRequest.objects.get().status == RequestStatus.RECEIVED


def test_a_deletion_anonymises_the_numbers_ended_cases_at_once(held, administrator, staff, english):
    case_lifecycle.case_withdraw(case=held.half_open, actor=staff, now=NOW)

    done = lifecycle.request_complete(
        data_request=recorded(RequestKind.DELETION), actor=administrator, now=NOW
    )

    assert not Visit.objects.filter(visitor_phone=PHONE).exists()
    assert Visit.objects.filter(visitor_name=PLACEHOLDER_NAME).count() == 2
    assert "2 visits, 3 cases; 1 messages removed" in done.outcome
    # Another citizen's cases, recent or open, keep their details.
    assert Visit.objects.filter(visitor_phone=OTHER_PHONE).count() == 2
    entry = AuditEntry.objects.get(action=AuditAction.SECURITY)
    assert PHONE not in entry.detail and entry.detail.startswith("deletion request: 2 visits")
