"""The cases a proposal grew from, on the proposal page: each viewer sees the number,
title and workstation only of the cases they may see (as `visits.access` says), and a
count of the others."""

import pytest

from activities.models import CoSignature, ProposalKind
from activities.services import proposal_draft_from_case
from workstations import roles

from ..factories import MemberFactory, UserFactory, open_case
from ..pages import queries_for, section

HIDDEN = "not shown: you may not see"


@pytest.fixture
def lead(member_user):
    return member_user.member


@pytest.fixture
def here(workstation, staff):
    return open_case(workstation=workstation, actor=staff, title="西一路电梯停运")


@pytest.fixture
def elsewhere(other_workstation, other_staff):
    return open_case(workstation=other_workstation, actor=other_staff, title="胡家庙电梯停运")


@pytest.fixture
def proposal(here, elsewhere, staff, lead):
    proposal = proposal_draft_from_case(
        case=here, actor=staff, kind=ProposalKind.PROPOSAL, title="关于电梯改造的提案", lead=lead
    )
    proposal.cases.add(elsewhere)
    return proposal


def cases_section(client, proposal) -> str:
    response = client.get(f"/proposals/{proposal.pk}/")
    assert response.status_code == 200
    return section(response, "proposal-cases-heading", "proposal-activities-heading")


def test_staff_see_their_workstations_case_of_a_proposal_and_only_a_count_of_the_other(
    sign_in, staff, proposal, here, elsewhere, other_workstation
):
    cases = cases_section(sign_in(staff), proposal)

    assert f'href="/cases/{here.number}/"' in cases and here.title in cases
    assert elsewhere.number not in cases and elsewhere.title not in cases
    assert other_workstation.name not in cases
    assert f"1 other case, {HIDDEN} it" in cases


def test_the_lead_member_sees_no_case_they_do_not_handle_only_how_many_there_are(
    sign_in, lead, proposal, here, elsewhere, workstation, other_workstation
):
    cases = cases_section(sign_in(lead.user), proposal)

    for case in (here, elsewhere):
        assert case.number not in cases and case.title not in cases
    assert workstation.name not in cases and other_workstation.name not in cases
    assert f"2 other cases, {HIDDEN} them" in cases


def test_a_member_sees_the_case_they_handle_with_its_link(sign_in, proposal, here, elsewhere):
    member = _member_handling(here)
    CoSignature.objects.create(proposal=proposal, member=member)

    cases = cases_section(sign_in(member.user), proposal)

    assert f'href="/cases/{here.number}/"' in cases
    assert elsewhere.number not in cases
    assert f"1 other case, {HIDDEN} it" in cases


def test_an_administrator_sees_every_case_and_no_count(
    sign_in, administrator, proposal, here, elsewhere, other_workstation
):
    cases = cases_section(sign_in(administrator), proposal)

    assert here.number in cases and elsewhere.number in cases
    assert other_workstation.name in cases
    assert HIDDEN not in cases


def test_the_proposal_page_runs_as_many_queries_for_many_cases_as_for_two(
    sign_in, staff, proposal, workstation, other_workstation, other_staff
):
    client = sign_in(staff)
    few = queries_for(client, f"/proposals/{proposal.pk}/")
    for n in range(6):
        proposal.cases.add(open_case(workstation=workstation, actor=staff, title=f"第{n}件"))
        proposal.cases.add(open_case(workstation=other_workstation, actor=other_staff))

    assert queries_for(client, f"/proposals/{proposal.pk}/") == few


def _member_handling(case):
    user = UserFactory(username="handling-member", role=roles.MEMBERS)
    member = MemberFactory(name="赵委员", user=user)
    case.handling_members.add(member)
    return member
