"""Database rules of visits: every constraint is enforced by the database itself, and
`full_clean()` explains a bad value in words.

Rows reach a state through the lifecycle; the only direct writes here are the illegal
ones the database must refuse, each inside its own transaction.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, ProtectedError

from visits import lifecycle
from visits.models import (
    Case,
    CaseEvent,
    CaseStatus,
    EventKind,
    Referral,
    ReferralRole,
    ReferralState,
    Satisfaction,
    Visit,
)

from ..database_rules import refused_by_database
from ..factories import DepartmentFactory, VisitFactory, open_case
from ..stories import answered

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)
DUE = date(2026, 3, 20)


pytestmark = pytest.mark.usefixtures("english", "calendar_2026")


@pytest.fixture
def case(staff, workstation):
    return open_case(workstation=workstation, actor=staff, now=NOW)


@pytest.fixture
def other_case(staff, workstation):
    return open_case(workstation=workstation, actor=staff, now=NOW)


@pytest.fixture
def closed_case(case, staff):
    lifecycle.case_resolve(case=case, actor=staff, note="已解决", now=NOW)
    lifecycle.case_follow_up(
        case=Case.objects.get(pk=case.pk), actor=staff, satisfaction=Satisfaction.SATISFIED, now=NOW
    )
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def merged_case(case, other_case, staff):
    lifecycle.case_merge(case=case, actor=staff, into=other_case, now=NOW)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def lead(case, staff):
    return lifecycle.case_refer(
        case=case, actor=staff, department=DepartmentFactory(), due_on=DUE, now=NOW
    )


# --- Visit -----------------------------------------------------------------------


def test_a_visit_of_nobody_is_refused_by_the_database(workstation):
    refused_by_database(
        "visit_count_positive", lambda: VisitFactory(workstation=workstation, visitor_count=0)
    )


def test_a_visit_through_an_unknown_channel_is_refused_by_the_database(workstation):
    refused_by_database(
        "visit_channel_valid", lambda: VisitFactory(workstation=workstation, channel="fax")
    )


def test_a_visit_through_an_unknown_channel_is_explained(workstation):
    visit = VisitFactory.build(workstation=workstation, channel="fax")

    with pytest.raises(ValidationError) as error:
        visit.full_clean()

    assert error.value.message_dict["channel"] == ["Value 'fax' is not a valid choice."]


@pytest.mark.parametrize(
    "phone", ["12345", "138123456789", "1381234567", "23812345678", "029 8765 4321", "电话"]
)
def test_a_malformed_phone_number_on_a_visit_is_explained(workstation, phone):
    visit = VisitFactory.build(workstation=workstation, visitor_phone=phone)

    with pytest.raises(ValidationError) as error:
        visit.full_clean()

    assert error.value.message_dict == {
        "visitor_phone": ["Enter a mobile number (11 digits) or a landline such as 029-87654321."]
    }


@pytest.mark.parametrize(
    "phone",
    [
        "",
        "13812345678",
        "19912345678",
        "029-87654321",
        "02987654321",
        "87654321",
        "029-87654321-801",
    ],
)
def test_a_mobile_or_landline_number_on_a_visit_is_accepted(workstation, phone):
    VisitFactory.build(workstation=workstation, visitor_phone=phone).full_clean()


# --- Case ------------------------------------------------------------------------


def test_an_unknown_status_is_refused_by_the_database(case):
    refused_by_database("case_status_valid", Case.objects.filter(pk=case.pk), status="lost")


def test_an_unknown_category_is_refused_by_the_database(case):
    refused_by_database("case_category_valid", Case.objects.filter(pk=case.pk), category="gossip")


def test_an_unknown_satisfaction_is_refused_by_the_database(case):
    refused_by_database(
        "case_satisfaction_valid", Case.objects.filter(pk=case.pk), satisfaction="delighted"
    )


def test_a_closed_case_without_a_satisfaction_is_refused_by_the_database(closed_case):
    refused_by_database(
        "case_closed_has_satisfaction", Case.objects.filter(pk=closed_case.pk), satisfaction=""
    )


def test_a_merged_case_without_the_case_it_duplicates_is_refused_by_the_database(merged_case):
    refused_by_database(
        "case_merged_iff_target", Case.objects.filter(pk=merged_case.pk), merged_into=None
    )


def test_a_case_that_is_not_merged_cannot_name_a_case_it_duplicates(case, other_case):
    refused_by_database(
        "case_merged_iff_target", Case.objects.filter(pk=case.pk), merged_into=other_case
    )


def test_a_case_merged_into_itself_is_refused_by_the_database(merged_case):
    refused_by_database(
        "case_not_merged_into_itself", Case.objects.filter(pk=merged_case.pk), merged_into=F("pk")
    )


def test_two_cases_with_one_tracking_number_are_refused_by_the_database(case, other_case):
    refused_by_database(
        "visits_case.number|visits_case_number_key",
        Case.objects.filter(pk=other_case.pk),
        number=case.number,
    )


def test_the_rows_the_lifecycle_wrote_satisfy_every_rule(closed_case, staff, workstation):
    duplicate = open_case(workstation=workstation, actor=staff, now=NOW)
    original = open_case(workstation=workstation, actor=staff, now=NOW)
    lifecycle.case_merge(case=duplicate, actor=staff, into=original, now=NOW)

    for pk in (closed_case.pk, duplicate.pk, original.pk):
        Case.objects.get(pk=pk).full_clean()
    for event in CaseEvent.objects.all():
        event.full_clean()


def unsaved_case(workstation, **fields) -> Case:
    visit = VisitFactory(workstation=workstation)
    fields = {"title": "噪音扰民", "category": Case.Category.OTHER} | fields
    return Case(workstation=workstation, visit=visit, **fields)


def test_an_unknown_category_is_explained(workstation):
    case = unsaved_case(workstation, category="gossip")

    with pytest.raises(ValidationError) as error:
        case.full_clean(exclude=["number"])

    assert error.value.message_dict == {"category": ["Value 'gossip' is not a valid choice."]}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("status", "lost", "Unknown case status."),
        ("satisfaction", "delighted", "Unknown satisfaction."),
    ],
)
def test_an_unknown_status_or_satisfaction_is_explained(workstation, field, value, message):
    # Both fields are not editable, so Django skips their choices check; the database
    # rule's own message is what full_clean reports.
    case = unsaved_case(workstation, **{field: value})

    with pytest.raises(ValidationError) as error:
        case.full_clean(exclude=["number"])

    assert error.value.message_dict == {"__all__": [message]}


def test_a_closed_case_without_a_satisfaction_is_explained(closed_case):
    closed_case.satisfaction = ""

    with pytest.raises(ValidationError) as error:
        closed_case.full_clean()

    assert error.value.message_dict == {
        "__all__": ["A closed case records the citizen's satisfaction."]
    }


def test_a_case_at_another_workstation_than_its_visit_is_explained(workstation, other_workstation):
    case = unsaved_case(workstation)
    case.workstation = other_workstation

    with pytest.raises(ValidationError) as error:
        case.full_clean(exclude=["number"])

    assert error.value.message_dict == {
        "workstation": ["A case belongs to the workstation of the visit that raised it."]
    }


def test_a_case_is_overdue_only_after_its_next_deadline(lead):
    case = Case.objects.get(pk=lead.case_id)
    # Referred on Monday 2 March: the department signs for it by Wednesday the 4th.
    assert case.next_due_on == date(2026, 3, 4)

    assert not case.is_overdue(today=date(2026, 3, 4))
    assert case.is_overdue(today=date(2026, 3, 5))


def test_an_ended_case_is_never_overdue(case, staff):
    lifecycle.case_withdraw(case=case, actor=staff, now=NOW)

    assert not Case.objects.get(pk=case.pk).is_overdue(today=date(2099, 1, 1))


# --- Referral --------------------------------------------------------------------


def test_an_unknown_referral_role_is_refused_by_the_database(lead):
    refused_by_database("referral_role_valid", Referral.objects.filter(pk=lead.pk), role="boss")


def test_an_unknown_referral_state_is_refused_by_the_database(lead):
    refused_by_database("referral_state_valid", Referral.objects.filter(pk=lead.pk), state="lost")


@pytest.mark.parametrize(
    "changes",
    [
        {"state": ReferralState.REPLIED},
        {"state": ReferralState.REPLIED, "reply": "已办"},
        {"state": ReferralState.REPLIED, "replied_at": NOW},
    ],
    ids=["neither", "no-time", "no-text"],
)
def test_a_replied_referral_without_its_reply_and_time_is_refused_by_the_database(lead, changes):
    refused_by_database(
        "referral_replied_has_reply", Referral.objects.filter(pk=lead.pk), **changes
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"state": ReferralState.RETURNED},
        {"state": ReferralState.RETURNED, "return_reason": "不属本局职责"},
        {"state": ReferralState.RETURNED, "returned_at": NOW},
    ],
    ids=["neither", "no-time", "no-reason"],
)
def test_a_returned_referral_without_its_reason_and_time_is_refused_by_the_database(lead, changes):
    refused_by_database(
        "referral_returned_has_reason", Referral.objects.filter(pk=lead.pk), **changes
    )


def test_a_reply_recorded_through_the_lifecycle_satisfies_the_database(lead, staff):
    lifecycle.referral_reply(referral=lead, actor=staff, reply="已办", now=NOW)

    refused_by_database("referral_replied_has_reply", Referral.objects.filter(pk=lead.pk), reply="")


def test_a_second_open_lead_department_is_refused_by_the_database(lead):
    refused_by_database(
        r"referral_one_open_lead|visits_referral\.case_id$",
        lambda: Referral.objects.create(
            case_id=lead.case_id, department=DepartmentFactory(), role=ReferralRole.LEAD, due_on=DUE
        ),
    )


def test_a_department_twice_on_one_case_is_refused_by_the_database(lead):
    refused_by_database(
        "referral_department_once_open|visits_referral.case_id, visits_referral.department_id",
        lambda: Referral.objects.create(
            case_id=lead.case_id, department=lead.department, role=ReferralRole.CO, due_on=DUE
        ),
    )


def test_a_returned_referral_leaves_room_for_a_new_lead_and_the_same_department(lead, staff):
    lifecycle.referral_return(referral=lead, actor=staff, reason="材料不全", now=NOW)

    again = Referral.objects.create(
        case_id=lead.case_id, department=lead.department, role=ReferralRole.LEAD, due_on=DUE
    )

    assert again.pk != lead.pk


def test_a_referral_cancelled_without_its_time_is_refused_by_the_database(lead):
    refused_by_database(
        "referral_cancelled_has_time",
        Referral.objects.filter(pk=lead.pk),
        state=ReferralState.CANCELLED,
    )


def test_a_cancellation_recorded_through_the_lifecycle_satisfies_the_database(lead, staff):
    lifecycle.case_withdraw(case=Case.objects.get(pk=lead.case_id), actor=staff, now=NOW)
    cancelled = Referral.objects.get(pk=lead.pk)

    assert (cancelled.state, cancelled.cancelled_at) == (ReferralState.CANCELLED, NOW)
    cancelled.full_clean()
    refused_by_database(
        "referral_cancelled_has_time", Referral.objects.filter(pk=lead.pk), cancelled_at=None
    )


def test_a_replied_lead_leaves_room_for_a_new_lead_and_the_same_department(lead, staff):
    lifecycle.referral_reply(referral=lead, actor=staff, reply="已办", now=NOW)

    again = Referral.objects.create(
        case_id=lead.case_id, department=lead.department, role=ReferralRole.LEAD, due_on=DUE
    )

    assert again.pk != lead.pk


def test_a_cancelled_referral_leaves_room_for_a_new_lead_and_the_same_department(lead, staff):
    lifecycle.case_withdraw(case=Case.objects.get(pk=lead.case_id), actor=staff, now=NOW)

    again = Referral.objects.create(
        case_id=lead.case_id, department=lead.department, role=ReferralRole.LEAD, due_on=DUE
    )

    assert again.pk != lead.pk


def test_a_referral_due_before_its_case_was_created_is_explained(case):
    referral = Referral(case=case, department=DepartmentFactory(), due_on=date(2026, 3, 1))

    with pytest.raises(ValidationError) as error:
        referral.full_clean()

    assert error.value.message_dict == {
        "due_on": ["A reply cannot be due before the case was created."]
    }


def test_a_referral_due_the_day_its_case_was_created_is_accepted(case):
    Referral(case=case, department=DepartmentFactory(), due_on=date(2026, 3, 2)).full_clean()


def test_the_day_a_case_was_created_is_the_day_in_xian(staff, workstation):
    # 16:30 UTC on 1 March is 00:30 on 2 March in Xi'an.
    case = open_case(
        workstation=workstation, actor=staff, now=datetime(2026, 3, 1, 16, 30, tzinfo=UTC)
    )
    referral = Referral(case=case, department=DepartmentFactory(), due_on=date(2026, 3, 1))

    with pytest.raises(ValidationError, match="cannot be due before"):
        referral.full_clean()


def test_an_open_referral_is_overdue_only_after_its_acknowledgement_then_its_reply_is_due(
    lead, staff
):
    assert lead.acknowledge_due_on == date(2026, 3, 4)
    assert not lead.is_overdue(today=date(2026, 3, 4))
    assert lead.is_overdue(today=date(2026, 3, 5))

    lead = lifecycle.referral_acknowledge(referral=lead, actor=staff, now=NOW)

    assert not lead.is_overdue(today=DUE)
    assert lead.is_overdue(today=date(2026, 3, 21))

    lifecycle.referral_reply(referral=lead, actor=staff, reply="已办", now=NOW)

    assert not Referral.objects.get(pk=lead.pk).is_overdue(today=date(2026, 3, 21))


def test_a_cancelled_referral_is_never_overdue(lead, staff):
    lifecycle.case_withdraw(case=Case.objects.get(pk=lead.case_id), actor=staff, now=NOW)

    assert not Referral.objects.get(pk=lead.pk).is_overdue(today=date(2099, 1, 1))


# --- CaseEvent -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "fields"),
    [
        ("event_kind_valid", {"kind": "gossip", "to_status": CaseStatus.REGISTERED}),
        ("event_to_status_valid", {"kind": EventKind.NOTE, "to_status": "lost"}),
    ],
    ids=["kind", "to-status"],
)
def test_an_event_of_unknown_kind_or_status_is_refused_by_the_database(case, rule, fields):
    refused_by_database(rule, lambda: CaseEvent.objects.create(case=case, **fields))


def test_an_event_cannot_be_changed_once_written(case):
    event = case.events.get()
    event.note = "改写历史"

    with pytest.raises(TypeError, match="append-only"):
        event.save()

    assert case.events.get().note == ""


def test_an_event_cannot_be_deleted(case):
    event = case.events.get()

    with pytest.raises(TypeError, match="append-only"):
        event.delete()

    assert case.events.count() == 1


@pytest.mark.parametrize(
    "attempt",
    [
        lambda case: CaseEvent.objects.filter(case=case).update(note="改写历史"),
        lambda case: CaseEvent.objects.filter(case=case).delete(),
        lambda case: case.events.update(note="改写历史"),
        lambda case: case.events.all().delete(),
        lambda case: CaseEvent.objects.bulk_update(
            [CaseEvent(pk=e.pk, note="改写历史") for e in case.events.all()], ["note"]
        ),
    ],
    ids=["update", "delete", "related-update", "related-delete", "bulk-update"],
)
def test_events_cannot_be_changed_or_deleted_in_bulk(case, attempt):
    before = list(CaseEvent.objects.values())

    # bulk_update runs inside its own transaction without a savepoint.
    with pytest.raises(TypeError, match="append-only"), transaction.atomic():
        attempt(case)

    assert list(CaseEvent.objects.values()) == before


def test_a_case_with_a_history_cannot_be_deleted(case):
    with pytest.raises(ProtectedError):
        case.delete()

    assert Case.objects.filter(pk=case.pk).exists()
    assert case.events.count() == 1


def test_the_visit_of_a_case_cannot_be_deleted(case):
    with pytest.raises(ProtectedError):
        case.visit.delete()

    assert Visit.objects.filter(pk=case.visit_id).exists()


def test_an_answered_case_written_by_the_lifecycle_passes_full_clean(staff, workstation):
    case = answered(
        workstation=workstation,
        actor=staff,
        satisfaction=Satisfaction.BASICALLY,
        note="当场答复",
        now=NOW,
    )

    case.full_clean()
    case.events.get().full_clean()
