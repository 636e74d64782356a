"""From the case page to a proposal draft (`desk.views.case_proposal`): the draft form
offered to those who handle the case, the draft made once and linked both ways with a
note on the case's timeline, refusals next to the field with nothing saved, and no draft
for those who do not handle the case."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activities.models import Proposal, ProposalKind
from activities.services import proposal_draft_from_case
from visits.models import CaseEvent, EventKind

from ..factories import open_case
from ..pages import errors_next_to, html, login_redirect, section


def _draft_form(lead, **fields) -> dict:
    return {
        "proposal-kind": ProposalKind.PROPOSAL,
        "proposal-title": "关于加快老旧小区电梯改造的提案",
        "proposal-lead": lead.pk,
    } | fields


def test_the_case_page_offers_handlers_the_draft_form_with_the_case_title(sign_in, staff, case):
    response = sign_in(staff).get(f"/cases/{case.number}/")

    form = section(response, "proposal-draft")
    assert f'action="/cases/{case.number}/proposals/new/"' in form
    assert 'value="老旧小区电梯停运"' in form


def test_a_member_handling_the_case_is_not_offered_the_draft_form(
    sign_in, member_user, workstation, staff
):
    case = open_case(workstation=workstation, actor=staff)
    case.handling_members.add(member_user.member)

    response = sign_in(member_user).get(f"/cases/{case.number}/")

    assert response.status_code == 200
    assert 'id="proposal-draft"' not in html(response)


def test_staff_turn_a_case_into_a_draft_and_land_on_its_page(sign_in, staff, case, lead):
    client = sign_in(staff)

    response = client.post(f"/cases/{case.number}/proposals/new/", _draft_form(lead), follow=True)

    proposal = Proposal.objects.get()
    assert response.redirect_chain == [(f"/proposals/{proposal.pk}/", 302)]
    assert proposal.status == Proposal.Status.DRAFT and proposal.lead == lead
    assert list(proposal.cases.all()) == [case]
    assert f"Draft made from case {case.number}." in html(response)
    assert f'href="/cases/{case.number}/"' in section(response, "proposal-cases-heading")
    note = CaseEvent.objects.filter(case=case, kind=EventKind.NOTE).get()
    assert note.note == "Drafted proposal: 关于加快老旧小区电梯改造的提案"
    # And back on the case page, the proposal is linked and the note is on the timeline.
    page = client.get(f"/cases/{case.number}/")
    assert f'href="/proposals/{proposal.pk}/"' in section(page, "proposals-heading")
    assert "Drafted proposal" in section(page, "timeline-heading")


def test_a_public_opinion_report_is_drafted_from_a_case(sign_in, administrator, case, lead):
    sign_in(administrator).post(
        f"/cases/{case.number}/proposals/new/",
        _draft_form(lead, **{"proposal-kind": ProposalKind.OPINION}),
    )

    assert Proposal.objects.get().kind == ProposalKind.OPINION


def test_the_draft_form_sent_twice_makes_one_proposal(sign_in, staff, case, lead):
    client = sign_in(staff)
    first = client.post(f"/cases/{case.number}/proposals/new/", _draft_form(lead))

    second = client.post(f"/cases/{case.number}/proposals/new/", _draft_form(lead), follow=True)

    proposal = Proposal.objects.get()
    assert first["Location"] == f"/proposals/{proposal.pk}/"
    assert second.redirect_chain == [(f"/proposals/{proposal.pk}/", 302)]
    assert "This draft was already made from the case." in html(second)
    assert CaseEvent.objects.filter(case=case, kind=EventKind.NOTE).count() == 1


def test_a_draft_without_a_lead_is_refused_next_to_the_field(sign_in, staff, case, lead):
    response = sign_in(staff).post(
        f"/cases/{case.number}/proposals/new/", _draft_form(lead, **{"proposal-lead": ""})
    )

    assert response.status_code == 400
    assert errors_next_to(response, "id_proposal-lead") == ["This field is required."]
    assert not Proposal.objects.exists()
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.NOTE).exists()


def test_a_draft_led_by_an_inactive_member_is_refused(sign_in, staff, case, lead):
    lead.is_active = False
    lead.save()

    response = sign_in(staff).post(f"/cases/{case.number}/proposals/new/", _draft_form(lead))

    assert response.status_code == 400 and errors_next_to(response, "id_proposal-lead")
    assert not Proposal.objects.exists()


def test_the_draft_step_refuses_a_get(sign_in, staff, case):
    response = sign_in(staff).get(f"/cases/{case.number}/proposals/new/")

    assert response.status_code == 405


@pytest.mark.parametrize("persona", ["other_staff", "member_user"])
def test_those_who_do_not_handle_the_case_get_404_and_nothing_is_saved(
    sign_in, request, persona, case, lead
):
    user = request.getfixturevalue(persona)
    if persona == "member_user":  # a member handling the case sees it, but does not handle it
        case.handling_members.add(user.member)

    response = sign_in(user).post(f"/cases/{case.number}/proposals/new/", _draft_form(lead))

    assert response.status_code == 404
    assert not Proposal.objects.exists()


def test_anonymous_users_are_asked_to_sign_in_to_draft(sign_in, case, lead):
    response = sign_in(None).post(f"/cases/{case.number}/proposals/new/", _draft_form(lead))

    assert login_redirect(response)
    assert not Proposal.objects.exists()


def test_a_title_with_markup_is_shown_as_text(sign_in, staff, case, lead):
    client = sign_in(staff)
    client.post(
        f"/cases/{case.number}/proposals/new/",
        _draft_form(lead, **{"proposal-title": "<script>alert(1)</script>"}),
    )

    page = html(client.get(f"/cases/{case.number}/"))

    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_the_case_page_lists_proposals_a_member_cannot_open_without_a_link(
    sign_in, member_user, workstation, staff, lead
):
    case = open_case(workstation=workstation, actor=staff)
    case.handling_members.add(member_user.member)
    proposal = proposal_draft_from_case(
        case=case, actor=staff, kind=ProposalKind.PROPOSAL, title="电梯提案", lead=lead
    )

    response = sign_in(member_user).get(f"/cases/{case.number}/")

    listed = section(response, "proposals-heading", "timeline-heading")
    assert "电梯提案" in listed and f"/proposals/{proposal.pk}/" not in listed


def test_an_old_case_can_still_be_drafted_from(sign_in, staff, workstation, lead):
    opened = timezone.now() - timedelta(days=400)
    case = open_case(workstation=workstation, actor=staff, now=opened)
    before = timezone.now()

    response = sign_in(staff).post(f"/cases/{case.number}/proposals/new/", _draft_form(lead))

    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/proposals/{proposal.pk}/"
    assert (proposal.kind, proposal.status, proposal.lead) == (
        ProposalKind.PROPOSAL, Proposal.Status.DRAFT, lead,
    )  # fmt: skip
    assert proposal.title == "关于加快老旧小区电梯改造的提案"
    assert list(proposal.cases.all()) == [case] and list(case.proposals.all()) == [proposal]
    # The note is written today by the one who drafted, however old the case; its status stays.
    note = CaseEvent.objects.get(case=case, kind=EventKind.NOTE)
    assert note.note == "Drafted proposal: 关于加快老旧小区电梯改造的提案"
    assert note.actor == staff and note.at >= before
    case.refresh_from_db()
    assert note.from_status == note.to_status == case.status
