"""Transferring a case to another workstation, with a reason. The new workstation's staff
see it at once; the old workstation's staff lose it (a 404, like any other workstation's
case: it is the new workstation's case now, and they need its citizen's details no
longer); the transfer stays in the timeline. An online submission's visit moves with it."""

import pytest

from visits import lifecycle
from visits.models import Case, CaseStatus, EventKind

from ..factories import VisitFactory, WorkstationFactory, open_case
from ..pages import errors_next_to, html, listed, section
from ..posts import act
from ..public.tracking import submit_online, tracking
from ..stories import record

pytestmark = pytest.mark.usefixtures("working_calendar", "deadlines")

REASON = "问题发生在胡家庙街道辖区"


def transfer(client, case, workstation, reason=REASON, **kwargs):
    return act(client, case, "transfer", workstation=workstation.pk, reason=reason, **kwargs)


def test_the_new_workstations_staff_see_a_transferred_case_at_once(
    sign_in, staff, other_staff, world, workstation, other_workstation
):
    case = world.consulting(workstation)

    transfer(sign_in(staff), case, other_workstation)

    case.refresh_from_db()
    assert case.workstation == other_workstation and case.status == CaseStatus.CONSULTING
    theirs = sign_in(other_staff)
    assert theirs.get(f"/cases/{case.number}/").status_code == 200
    assert case.number in listed(theirs.get("/cases/"))


def test_the_old_workstations_staff_lose_the_case_after_transferring_it(
    sign_in, staff, world, workstation, other_workstation
):
    case = world.consulting(workstation)
    client = sign_in(staff)

    response = transfer(client, case, other_workstation)

    assert response.status_code == 302 and response["Location"] == "/cases/"
    page = html(client.get("/cases/"))
    assert "transferred to" in page and other_workstation.name in page
    assert client.get(f"/cases/{case.number}/").status_code == 404
    assert case.number not in listed(client.get("/cases/"))


def test_the_transfer_stays_in_the_timeline_with_its_reason_and_both_workstations(
    sign_in, staff, other_staff, world, workstation, other_workstation
):
    case = world.consulting(workstation)

    transfer(sign_in(staff), case, other_workstation)

    event = case.events.get(kind=EventKind.TRANSFERRED)
    assert event.actor == staff and event.to_status == CaseStatus.CONSULTING
    assert REASON in event.note
    assert workstation.name in event.note and other_workstation.name in event.note
    timeline = section(sign_in(other_staff).get(f"/cases/{case.number}/"), "timeline-heading")
    assert "Transferred to another workstation" in timeline and REASON in timeline
    assert "Consultation held" in timeline  # the history written before it stays


def test_an_administrator_transfers_and_stays_on_the_case_page(
    sign_in, administrator, world, workstation, other_workstation
):
    case = world.registered(workstation)

    response = transfer(sign_in(administrator), case, other_workstation)

    assert response["Location"] == f"/cases/{case.number}/"


def test_members_handling_a_transferred_case_still_see_it(
    sign_in, staff, member, world, workstation, other_workstation
):
    case = world.registered(workstation, members=[member])

    transfer(sign_in(staff), case, other_workstation)

    assert sign_in(member.user).get(f"/cases/{case.number}/").status_code == 200


def test_an_online_submissions_visit_moves_with_it(
    sign_in, staff, other_staff, world, workstation, other_workstation
):
    case = world.submitted(workstation)

    transfer(sign_in(staff), case, other_workstation)

    visit = Case.objects.get(pk=case.pk).visit
    assert visit.workstation == other_workstation
    assert sign_in(staff).get(f"/visits/{visit.pk}/").status_code == 404
    assert sign_in(other_staff).get(f"/visits/{visit.pk}/").status_code == 200


def test_a_visit_that_raised_other_cases_stays_where_it_was_received(
    sign_in, staff, workstation, other_workstation
):
    visit = VisitFactory(workstation=workstation)
    moving = open_case(visit=visit, actor=staff, title="胡家庙的群租房")
    staying = open_case(visit=visit, actor=staff, title="西一路的路灯")

    transfer(sign_in(staff), moving, other_workstation)

    visit.refresh_from_db()
    assert visit.workstation == workstation
    page = html(sign_in(staff).get(f"/visits/{visit.pk}/"))
    assert staying.title in page and moving.title not in page
    assert "1 more issue was transferred to another workstation" in page


def test_the_citizen_sees_the_new_workstation_and_the_step_but_not_the_reason(
    staff, workstation, other_workstation
):
    number, code = submit_online(workstation)
    lifecycle.case_transfer(
        case=Case.objects.get(number=number),
        actor=staff,
        workstation=other_workstation,
        reason=REASON,
    )

    page = html(tracking(number, code).get("/track/"))

    assert other_workstation.name in page and "Transferred to another workstation" in page
    assert REASON not in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reason": ""}, "This field is required."),
        ({"reason": "长" * 1001}, "at most 1000 characters"),
    ],
)
def test_a_transfer_without_a_proper_reason_is_an_error_next_to_it(
    sign_in, staff, world, workstation, other_workstation, fields, message
):
    case = world.registered(workstation)
    before = record(case)

    response = transfer(sign_in(staff), case, other_workstation, **fields)

    assert response.status_code == 400
    assert any(message in e for e in errors_next_to(response, "id_transfer-reason"))
    assert record(case) == before


@pytest.mark.parametrize("target", ["its own", "inactive", "unknown", "huge id"])
def test_a_workstation_that_cannot_take_the_case_is_an_error_next_to_the_field(
    sign_in, staff, world, workstation, target
):
    case = world.registered(workstation)
    pk = {
        "its own": lambda: workstation.pk,
        "inactive": lambda: WorkstationFactory(is_active=False).pk,
        "unknown": lambda: 987654,
        "huge id": lambda: 99999999999999999999,
    }[target]()
    before = record(case)

    response = act(sign_in(staff), case, "transfer", workstation=pk, reason=REASON)

    assert response.status_code == 400
    assert errors_next_to(response, "id_transfer-workstation")
    assert record(case) == before


def test_a_transfer_from_a_page_left_open_while_the_case_moved_is_refused(
    sign_in, staff, world, workstation, other_workstation
):
    case = world.registered(workstation)
    lifecycle.case_consult(case=case, actor=staff, note="约物业协商")
    before = record(case)

    response = transfer(sign_in(staff), case, other_workstation, seen_status=CaseStatus.REGISTERED)

    assert response.status_code == 400 and "changed this case meanwhile" in html(response)
    assert record(case) == before


def test_an_ended_case_cannot_be_transferred(world, staff, workstation, other_workstation):
    case = world.closed(workstation)
    before = record(case)

    with pytest.raises(lifecycle.CaseError, match="ended"):
        lifecycle.case_transfer(
            case=case, actor=staff, workstation=other_workstation, reason=REASON
        )

    assert record(case) == before
