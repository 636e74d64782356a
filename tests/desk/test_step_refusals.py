"""Steps the case page refuses (`desk.views.case_act`): a status that does not allow the
step, a rule of the lifecycle, a bad field, a page left open while the case moved, a
referral or a case that is not this case's: each refusal says why and changes nothing."""

import pytest

from audit.models import AuditEntry
from visits import lifecycle
from visits.models import CaseStatus, ReferralRole

from ..factories import DepartmentFactory
from ..pages import errors_next_to, html
from ..posts import act
from ..stories import lead_of, rows

pytestmark = pytest.mark.usefixtures("working_calendar", "deadlines")

S = CaseStatus


def test_a_step_the_status_does_not_allow_is_refused_with_its_message_and_changes_nothing(
    client, world, workstation
):
    case = world.referred(workstation)
    before = rows()

    response = act(client, case, "resolve", note="想直接办结")

    assert response.status_code == 400
    assert "“Resolve” is not possible while the case is “Referred”." in html(response)
    assert rows() == before


@pytest.mark.parametrize(
    ("make", "action", "fields", "message"),
    [
        (
            "closed",
            "reject",
            {"reason": "重复", "confirm": "on"},
            "“Reject” is not possible while the case is",
        ),
        ("registered", "reply", {"referral": "1", "reply": "x"}, "Select a valid choice."),
        (
            "referred",
            "refer",
            {"department": "lead", "role": "co"},
            "The case is already with 区住建局.",
        ),
        (
            "replied",
            "refer",
            {"department": "third", "role": "lead"},
            "The case already has a lead department; add this one as co-handling.",
        ),
        (
            "registered",
            "refer",
            {"department": "co", "role": "co"},
            "Refer the case to a lead department first.",
        ),
    ],
    ids=[
        "reject-closed",
        "reply-unreferred",
        "refer-same-department",
        "second-lead",
        "co-without-lead",
    ],
)
def test_a_step_the_lifecycle_refuses_shows_why_and_changes_nothing(
    client, world, workstation, departments, make, action, fields, message
):
    case = getattr(world, make)(workstation)
    lead, co = departments
    third = DepartmentFactory(name="区民政局")
    named = {"lead": lead.pk, "co": co.pk, "third": third.pk}
    values = {k: named[v] if k == "department" else v for k, v in fields.items()}
    before = rows()

    response = act(client, case, action, **values)

    assert response.status_code == 400
    assert message in html(response)
    assert rows() == before


@pytest.mark.parametrize(
    ("action", "fields", "field_id", "message"),
    [
        ("reject", {"reason": ""}, "id_reject-reason", "This field is required."),
        ("note", {"note": "记" * 4001}, "id_note-note", "at most 4000 characters"),
        ("consult", {"method": "gossip", "note": "x"}, "id_consult-method", "Select a valid"),
        ("refer", {"department": "999999", "role": "lead"}, "id_refer-department", "Select a"),
        ("refer", {"department": "lead", "role": "boss"}, "id_refer-role", "Select a valid"),
        (
            "refer",
            {"department": "lead", "role": "lead", "due_on": "someday"},
            "id_refer-due_on",
            "Enter a valid date.",
        ),
        ("withdraw", {"note": "x"}, "id_withdraw-confirm", "Tick the box to confirm."),
        ("merge", {"into": "XC-1999-000001"}, "id_merge-into", "No case of yours"),
    ],
    ids=lambda v: v if isinstance(v, str) and v.startswith("id_") else None,
)
def test_a_step_with_a_bad_field_is_refused_next_to_the_field_and_changes_nothing(
    client, world, workstation, departments, action, fields, field_id, message
):
    case = world.registered(workstation)
    values = {
        k: departments[0].pk if v == "lead" and k == "department" else v for k, v in fields.items()
    }
    before = rows()

    response = act(client, case, action, **values)

    assert response.status_code == 400
    assert any(message in e for e in errors_next_to(response, field_id)), errors_next_to(
        response, field_id
    )
    assert rows() == before


def test_a_step_posted_from_a_page_left_open_while_the_case_moved_is_refused(
    client, staff, world, workstation
):
    case = world.registered(workstation)
    lifecycle.case_consult(case=case, actor=staff, note="另一位联络员已组织协商")
    before = rows()

    response = act(
        client, case, "reject", seen_status=S.REGISTERED, reason="不予受理", confirm="on"
    )

    assert response.status_code == 400
    assert "Someone else changed this case meanwhile (it is now “Consulting”)" in html(response)
    assert rows() == before


def test_a_referral_step_posted_from_a_stale_page_is_refused(client, staff, world, workstation):
    case = world.referred(workstation)
    lead = lead_of(case)
    lifecycle.referral_reply(referral=lead, actor=staff, reply="已答复")
    before = rows()

    response = act(client, case, "return", seen_status=S.REFERRED, referral=lead.pk, reason="退回")

    assert response.status_code == 400
    assert rows() == before


def test_a_stale_page_is_refused_even_when_the_step_is_allowed_in_both_statuses(
    client, staff, world, workstation
):
    # A note is allowed in every status: only the status the page showed tells it is stale.
    case = world.registered(workstation)
    lifecycle.case_consult(case=case, actor=staff, note="已协商")
    before = rows()

    response = act(client, case, "note", seen_status=S.REGISTERED, note="补充说明")

    assert response.status_code == 400
    assert "Someone else changed this case meanwhile" in html(response)
    assert rows() == before


def test_a_forged_status_seen_is_refused(client, world, workstation):
    case = world.registered(workstation)
    before = rows()

    response = act(client, case, "note", seen_status="archived", note="x")

    assert response.status_code == 400
    assert rows() == before


def test_a_step_on_a_referral_of_another_case_is_refused_and_changes_neither_case(
    client, world, workstation
):
    case = world.referred(workstation)
    other = world.referred(workstation)
    before = rows()

    response = act(client, case, "acknowledge", referral=lead_of(other).pk)

    assert response.status_code == 400
    assert errors_next_to(response, "id_acknowledge-referral") == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert rows() == before


def test_a_reply_on_a_referral_already_answered_is_refused(client, staff, world, workstation):
    case = world.replied(workstation)
    answered = case.referrals.get(role=ReferralRole.LEAD)
    before = rows()

    response = act(client, case, "reply", referral=answered.pk, reply="再答复一次")

    assert response.status_code == 400
    assert rows() == before


def test_merging_into_a_case_of_another_workstation_is_refused(
    client, world, workstation, other_workstation
):
    case = world.registered(workstation)
    elsewhere = world.registered(other_workstation)
    before = rows()

    response = act(client, case, "merge", into=elsewhere.number)

    assert response.status_code == 400
    assert errors_next_to(response, "id_merge-into") == [
        "No case of yours has this tracking number."
    ]
    assert rows() == before


def test_merging_a_case_into_itself_is_refused(client, world, workstation):
    case = world.registered(workstation)
    before = rows()

    response = act(client, case, "merge", into=case.number, confirm="on")

    assert response.status_code == 400
    assert "A case cannot be merged into itself." in html(response)
    assert rows() == before


def test_referring_to_a_department_that_no_longer_takes_referrals_is_refused(
    client, world, workstation
):
    case = world.registered(workstation)
    closed_down = DepartmentFactory(name="已撤销的局", is_active=False)
    before = rows()

    response = act(client, case, "refer", department=closed_down.pk, role="lead")

    assert response.status_code == 400
    assert errors_next_to(response, "id_refer-department")
    assert rows() == before


def test_an_unknown_step_is_not_found(client, world, workstation):
    case = world.registered(workstation)
    before = rows()

    assert act(client, case, "delete").status_code == 404
    assert act(client, case, "reopen").status_code == 404
    assert rows() == before


def test_a_step_on_a_case_that_does_not_exist_is_not_found(client, world):
    assert client.post("/cases/XC-2099-999999/note/", {"note-note": "x"}).status_code == 404
    assert not AuditEntry.objects.exists()


def test_a_public_summary_with_a_phone_number_is_a_field_error_and_changes_nothing(
    client, staff, world, workstation
):
    case = world.replied(workstation)

    response = act(client, case, "resolve", note="已修复", public_summary="请联系13812345678")

    assert response.status_code == 400
    (form,) = [f for f in response.context["action_forms"] if f.is_bound]
    assert "phone or ID number" in " ".join(form.errors["public_summary"])
    case.refresh_from_db()
    assert (case.status, case.public_summary) == (S.REPLIED, "")
