"""Giving a case its handling members from the case page, and changing them: a member
assigned sees the case from then on (an online submission included), a member removed no
longer does, and the timeline says who was added and who removed."""

import re

import pytest

from visits.models import EventKind

from ..factories import MemberFactory
from ..pages import errors_next_to, html, listed
from ..posts import act
from ..stories import record

pytestmark = pytest.mark.usefixtures("working_calendar", "deadlines")


@pytest.fixture
def submission(world, workstation):
    return world.submitted(workstation)


def test_a_member_assigned_to_an_online_submission_sees_it_in_their_list_and_page(
    sign_in, staff, member, submission
):
    as_member = sign_in(member.user)
    assert as_member.get(f"/cases/{submission.number}/").status_code == 404

    response = act(sign_in(staff), submission, "assign", members=[member.pk])

    assert response.status_code == 302
    assert list(submission.handling_members.all()) == [member]
    assert as_member.get(f"/cases/{submission.number}/").status_code == 200
    assert submission.number in listed(as_member.get("/cases/"))


def test_changing_the_members_records_who_was_added_and_who_removed(
    sign_in, staff, world, workstation, member
):
    case = world.registered(workstation, members=[member])
    newcomer = MemberFactory(name="孙委员", home_workstation=workstation)

    act(sign_in(staff), case, "assign", members=[newcomer.pk])

    event = case.events.get(kind=EventKind.ASSIGNED)
    assert event.actor == staff
    assert "孙委员" in event.note and "李委员" in event.note
    assert event.note.index("孙委员") < event.note.index("李委员")  # added, then removed
    assert list(case.handling_members.all()) == [newcomer]


def test_a_member_removed_from_a_case_no_longer_sees_it(sign_in, staff, world, workstation, member):
    case = world.registered(workstation, members=[member])

    act(sign_in(staff), case, "assign", members=[])

    assert not case.handling_members.exists()
    assert sign_in(member.user).get(f"/cases/{case.number}/").status_code == 404


def test_the_form_offers_the_workstations_members_and_those_handling_the_case(
    sign_in, staff, world, workstation, other_workstation, member
):
    visiting = MemberFactory(name="周委员", home_workstation=other_workstation)
    MemberFactory(name="吴委员", home_workstation=other_workstation)
    MemberFactory(name="郑委员", home_workstation=workstation, is_active=False)
    case = world.registered(workstation, members=[visiting])

    page = html(sign_in(staff).get(f"/cases/{case.number}/"))
    form = page[page.index('id="correction-assign"') :]
    form = form[: form.index("</form>")]

    assert "李委员" in form and "周委员" in form
    assert "吴委员" not in form and "郑委员" not in form
    assert re.search(rf'value="{visiting.pk}"[^>]*checked', form)
    assert not re.search(rf'value="{member.pk}"[^>]*checked', form)


@pytest.mark.parametrize("who", ["of another workstation", "inactive", "unknown", "huge id"])
def test_a_member_who_may_not_be_offered_is_an_error_next_to_the_field(
    sign_in, staff, world, workstation, other_workstation, member, who
):
    case = world.registered(workstation)
    pk = {
        "of another workstation": lambda: MemberFactory(home_workstation=other_workstation).pk,
        "inactive": lambda: MemberFactory(home_workstation=workstation, is_active=False).pk,
        "unknown": lambda: 987654,
        "huge id": lambda: 99999999999999999999,
    }[who]()
    before = record(case)

    response = act(sign_in(staff), case, "assign", members=[pk])

    assert response.status_code == 400
    assert errors_next_to(response, "id_assign-members_0")
    assert record(case) == before


def test_assigning_the_same_members_again_is_refused_and_writes_no_event(
    sign_in, staff, world, workstation, member
):
    case = world.registered(workstation, members=[member])
    before = record(case)

    response = act(sign_in(staff), case, "assign", members=[member.pk])

    assert response.status_code == 400 and "handling members are unchanged" in html(response)
    assert record(case) == before


def test_a_member_without_a_sign_in_can_still_be_assigned(sign_in, staff, world, workstation):
    case = world.registered(workstation)
    offline = MemberFactory(name="陈委员", home_workstation=workstation, user=None)

    act(sign_in(staff), case, "assign", members=[offline.pk])

    assert list(case.handling_members.all()) == [offline]
