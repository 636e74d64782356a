"""Who may correct a case (its details, its handling members, its workstation): staff of
its workstation and administrators. Staff of another workstation and members (even the
one handling it) get a 404, the anonymous the sign-in page, a GET a 405; nothing changes
for any of them."""

import pytest

from ..factories import MemberFactory, WorkstationFactory
from ..pages import html, section
from ..posts import act
from ..stories import record

pytestmark = pytest.mark.usefixtures("working_calendar", "deadlines")

CORRECTIONS = ("edit", "assign", "transfer")


@pytest.fixture
def case(world, workstation, member):
    return world.registered(workstation, members=[member], title="小区电梯停运")


@pytest.fixture
def fields(workstation):
    """A valid post for each correction."""
    third = WorkstationFactory(street="太华路街道", slug="taihualu")
    newcomer = MemberFactory(name="孙委员", home_workstation=workstation)
    return {
        "edit": {"title": "小区电梯停运三周", "category": "renovation", "description": ""},
        "assign": {"members": [newcomer.pk]},
        "transfer": {"workstation": third.pk, "reason": "属太华路街道辖区"},
    }


@pytest.mark.parametrize("correction", CORRECTIONS)
@pytest.mark.parametrize("persona", ["administrator", "staff"])
def test_staff_of_the_workstation_and_administrators_correct_a_case(
    request, sign_in, case, fields, persona, correction
):
    before = record(case)

    response = act(
        sign_in(request.getfixturevalue(persona)), case, correction, **fields[correction]
    )

    assert response.status_code == 302
    assert record(case) != before


@pytest.mark.parametrize("correction", CORRECTIONS)
@pytest.mark.parametrize("persona", ["other_staff", "member_user"])
def test_staff_elsewhere_and_members_get_404_and_change_nothing(
    request, sign_in, case, fields, persona, correction
):
    before = record(case)

    response = act(
        sign_in(request.getfixturevalue(persona)), case, correction, **fields[correction]
    )

    assert response.status_code == 404
    assert record(case) == before


@pytest.mark.parametrize("correction", CORRECTIONS)
def test_the_anonymous_are_sent_to_sign_in_and_change_nothing(sign_in, case, fields, correction):
    before = record(case)

    response = act(sign_in(None), case, correction, **fields[correction])

    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    assert record(case) == before


@pytest.mark.parametrize("correction", CORRECTIONS)
def test_a_correction_address_refuses_a_get(sign_in, staff, case, correction):
    assert sign_in(staff).get(f"/cases/{case.number}/{correction}/").status_code == 405


@pytest.mark.parametrize("persona", ["administrator", "staff"])
def test_the_case_page_offers_the_corrections_to_staff_and_administrators(
    request, sign_in, case, persona
):
    response = sign_in(request.getfixturevalue(persona)).get(f"/cases/{case.number}/")

    offered = section(response, "corrections-heading")
    for correction in CORRECTIONS:
        assert f'id="correction-{correction}"' in offered
        assert f'action="/cases/{case.number}/{correction}/"' in offered


def test_the_case_page_offers_a_member_no_correction(sign_in, member, case):
    page = html(sign_in(member.user).get(f"/cases/{case.number}/"))

    assert 'id="corrections-heading"' not in page
    assert 'id="correction-' not in page


def test_an_ended_case_offers_no_correction(sign_in, staff, world, workstation):
    case = world.closed(workstation)

    page = html(sign_in(staff).get(f"/cases/{case.number}/"))

    assert 'id="correction-' not in page
