"""The staff pages of activities and proposals, and the step on the case page that turns a
case into a proposal draft: every role on every page, POST-only steps, refusals that
change nothing, and the link kept both ways."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.models import Activity, ActivityKind, CoSignature, Proposal, ProposalKind
from activities.services import activity_record, proposal_draft_from_case
from visits.models import CaseEvent, EventKind
from workstations import roles

from ..factories import MemberFactory, UserFactory, open_case
from ..visits.pages import errors_next_to, html, section


@pytest.fixture
def lead(workstation):
    return MemberFactory(name="张建国", home_workstation=workstation)


@pytest.fixture
def activity(staff, workstation, lead):
    return activity_record(
        activity=Activity(kind=ActivityKind.COMMUNITY_VISIT, title="进社区听民意", date=_today()),
        workstations=[workstation],
        participants=[lead],
        organiser=staff,
    )


@pytest.fixture
def other_activity(other_staff, other_workstation):
    return activity_record(
        activity=Activity(kind=ActivityKind.LEGAL_AID, title="胡家庙法律咨询日", date=_today()),
        workstations=[other_workstation],
        organiser=other_staff,
    )


@pytest.fixture
def case(workstation, staff):
    return open_case(workstation=workstation, actor=staff, title="老旧小区电梯停运")


@pytest.fixture
def proposal(case, staff, lead):
    return proposal_draft_from_case(
        case=case, actor=staff, kind=ProposalKind.PROPOSAL, title="关于电梯改造的提案", lead=lead
    )


def _today():
    return timezone.localdate()


def _login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/login/?next=")


# --- the activity list ----------------------------------------------------------------


def test_staff_see_their_workstations_activities_only(sign_in, staff, activity, other_activity):
    page = html(sign_in(staff).get("/activities/"))

    assert "进社区听民意" in page
    assert "胡家庙法律咨询日" not in page


def test_an_administrator_sees_every_workstations_activities(
    sign_in, administrator, activity, other_activity
):
    page = html(sign_in(administrator).get("/activities/"))

    assert "进社区听民意" in page and "胡家庙法律咨询日" in page


def test_the_activity_list_is_not_for_members(sign_in, member_user, activity):
    assert sign_in(member_user).get("/activities/").status_code == 404


def test_the_activity_list_asks_anonymous_users_to_sign_in(sign_in, activity):
    assert _login_redirect(sign_in(None).get("/activities/"))


def test_the_activity_list_refuses_a_post(sign_in, staff):
    assert sign_in(staff).post("/activities/").status_code == 405


def test_staff_see_an_activities_link_in_the_menu_and_members_do_not(sign_in, staff, member_user):
    assert 'href="/activities/"' in html(sign_in(staff).get("/dashboard/"))
    assert 'href="/activities/"' not in html(sign_in(member_user).get("/dashboard/"))


def test_the_activity_list_runs_as_many_queries_for_30_activities_as_for_3(
    sign_in, staff, workstation, django_assert_num_queries
):
    members = MemberFactory.create_batch(4, home_workstation=workstation)

    def record(n: int) -> None:
        for i in range(n):
            activity_record(
                activity=Activity(
                    kind=ActivityKind.MICRO_CONSULTATION, title=f"微协商{i}", date=_today()
                ),
                workstations=[workstation],
                participants=members,
                organiser=staff,
            )

    client = sign_in(staff)
    record(3)
    client.get("/activities/")
    with CaptureQueriesContext(connection) as with_three:
        client.get("/activities/")
    record(27)

    with django_assert_num_queries(len(with_three)):
        response = client.get("/activities/")

    assert len(re.findall(r">微协商\d+</a>", html(response))) == 30


# --- recording an activity ------------------------------------------------------------


def _activity_form(workstation, **fields) -> dict:
    return {
        "kind": ActivityKind.COMMUNITY_VISIT,
        "title": "走访长乐社区",
        "date": _today().isoformat(),
        "workstations": [workstation.pk],
        "suggestions_gathered": "6",
    } | fields


def test_staff_record_an_activity_of_their_workstation_as_its_organiser(
    sign_in, staff, workstation, lead
):
    response = sign_in(staff).post(
        "/activities/new/", _activity_form(workstation, participants=[lead.pk])
    )

    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/activities/{activity.pk}/"
    assert activity.organiser == staff and activity.suggestions_gathered == 6
    assert list(activity.workstations.all()) == [workstation]
    assert list(activity.participants.all()) == [lead]


def test_the_new_activity_form_offers_only_the_users_workstations(
    sign_in, staff, workstation, other_workstation
):
    page = html(sign_in(staff).get("/activities/new/"))

    assert workstation.name in page and other_workstation.name not in page


def test_an_activity_of_another_workstation_is_refused_and_not_saved(
    sign_in, staff, other_workstation
):
    response = sign_in(staff).post("/activities/new/", _activity_form(other_workstation))

    assert response.status_code == 200
    assert errors_next_to(response, "id_workstations_0") or "workstations" in str(
        response.context["form"].errors
    )
    assert not Activity.objects.exists()


def test_a_donation_without_an_amount_is_refused_next_to_the_field(sign_in, staff, workstation):
    response = sign_in(staff).post(
        "/activities/new/", _activity_form(workstation, kind=ActivityKind.DONATION)
    )

    assert errors_next_to(response, "id_amount") == ["Enter the amount donated."]
    assert not Activity.objects.exists()


def test_a_donation_with_its_amount_is_recorded(sign_in, staff, workstation):
    sign_in(staff).post(
        "/activities/new/", _activity_form(workstation, kind=ActivityKind.DONATION, amount="2000")
    )

    assert Activity.objects.get().amount == Decimal("2000")


def test_an_administrator_records_an_activity_of_any_workstation(
    sign_in, administrator, other_workstation
):
    sign_in(administrator).post("/activities/new/", _activity_form(other_workstation))

    assert Activity.objects.get().organiser == administrator


@pytest.mark.parametrize("persona", ["member_user", "anonymous"])
def test_members_and_anonymous_users_cannot_record_an_activity(
    sign_in, request, persona, workstation
):
    user = request.getfixturevalue(persona) if persona != "anonymous" else None

    response = sign_in(user).post("/activities/new/", _activity_form(workstation))

    assert response.status_code == 404 if user else _login_redirect(response)
    assert not Activity.objects.exists()


# --- the activity page and its attendance ---------------------------------------------


def test_the_organiser_records_who_took_part(sign_in, staff, workstation, activity, lead):
    other = MemberFactory(name="王秀兰", home_workstation=workstation)

    response = sign_in(staff).post(
        f"/activities/{activity.pk}/", {"participants": [lead.pk, other.pk]}
    )

    assert response.status_code == 302
    assert set(activity.participants.all()) == {lead, other}


def test_the_activity_page_shows_its_facts_and_participants(sign_in, staff, activity):
    response = sign_in(staff).get(f"/activities/{activity.pk}/")

    assert response.status_code == 200
    assert "进社区听民意" in html(response) and "张建国" in section(response, "attendance-heading")


def test_an_administrator_may_record_attendance_anywhere(
    sign_in, administrator, other_activity, lead
):
    sign_in(administrator).post(f"/activities/{other_activity.pk}/", {"participants": [lead.pk]})

    assert list(other_activity.participants.all()) == [lead]


def test_staff_of_another_workstation_get_404_and_change_nothing(
    sign_in, other_staff, activity, lead
):
    client = sign_in(other_staff)

    assert client.get(f"/activities/{activity.pk}/").status_code == 404
    assert client.post(f"/activities/{activity.pk}/", {"participants": []}).status_code == 404
    assert list(activity.participants.all()) == [lead]


def test_members_get_404_on_an_activity_page(sign_in, member_user, activity):
    assert sign_in(member_user).get(f"/activities/{activity.pk}/").status_code == 404


def test_anonymous_users_are_asked_to_sign_in_on_an_activity_page(sign_in, activity):
    assert _login_redirect(sign_in(None).get(f"/activities/{activity.pk}/"))


def test_the_activity_page_takes_only_get_and_post(sign_in, staff, activity):
    assert sign_in(staff).delete(f"/activities/{activity.pk}/").status_code == 405


# --- the proposal page ----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["administrator", "staff"])
def test_handlers_see_a_proposal_with_links_to_its_cases(sign_in, request, persona, proposal, case):
    response = sign_in(request.getfixturevalue(persona)).get(f"/proposals/{proposal.pk}/")

    assert response.status_code == 200
    assert f'href="/cases/{case.number}/"' in section(response, "proposal-cases-heading")


def test_the_lead_member_sees_the_proposal_but_not_a_case_they_cannot_open(sign_in, case, staff):
    member_user = _member_login("lead-member")
    proposal = proposal_draft_from_case(
        case=case, actor=staff, kind=ProposalKind.PROPOSAL, title="提案", lead=member_user.member
    )

    response = sign_in(member_user).get(f"/proposals/{proposal.pk}/")

    assert response.status_code == 200
    cases = section(response, "proposal-cases-heading", "proposal-activities-heading")
    assert case.number not in cases and "href=" not in cases
    assert "1 other case, not shown" in cases


def test_the_lead_member_sees_why_the_proposal_was_not_accepted(sign_in, staff, case):
    member_user = _member_login("lead-member")
    proposal = proposal_draft_from_case(
        case=case, actor=staff, kind=ProposalKind.PROPOSAL, title="提案", lead=member_user.member
    )
    Proposal.objects.filter(pk=proposal.pk).update(
        status=Proposal.Status.NOT_ACCEPTED,
        submitted_on=_today(),
        rejection_reason="属于信访事项，建议通过信访渠道反映",
    )

    page = html(sign_in(member_user).get(f"/proposals/{proposal.pk}/"))

    assert "Not accepted" in page and "属于信访事项，建议通过信访渠道反映" in page


def test_a_co_signer_sees_the_proposal(sign_in, member_user, proposal):
    CoSignature.objects.create(proposal=proposal, member=member_user.member)

    assert sign_in(member_user).get(f"/proposals/{proposal.pk}/").status_code == 200


def test_other_staff_and_unrelated_members_get_404_on_a_proposal(
    sign_in, other_staff, member_user, proposal
):
    assert sign_in(other_staff).get(f"/proposals/{proposal.pk}/").status_code == 404
    assert sign_in(member_user).get(f"/proposals/{proposal.pk}/").status_code == 404


def test_anonymous_users_are_asked_to_sign_in_on_a_proposal(sign_in, proposal):
    assert _login_redirect(sign_in(None).get(f"/proposals/{proposal.pk}/"))


def test_the_proposal_page_refuses_a_post(sign_in, staff, proposal):
    assert sign_in(staff).post(f"/proposals/{proposal.pk}/").status_code == 405


def _member_login(username: str):
    user = UserFactory(username=username, role=roles.MEMBERS)
    MemberFactory(name="刘委员", user=user)
    return user


# --- from the case page to a proposal draft -------------------------------------------


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

    assert _login_redirect(response)
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
