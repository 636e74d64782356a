"""The staff pages of activities and proposals: every role on every page, POST-only
steps, refusals that change nothing. The step on the case page that turns a case into a
proposal draft is tested in tests/desk/test_case_proposal.py."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.models import Activity, ActivityKind, CoSignature, Proposal, ProposalKind
from activities.services import activity_record, proposal_draft_from_case
from workstations import roles

from ..factories import MemberFactory, UserFactory
from ..pages import errors_next_to, html, login_redirect, section


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
def proposal(case, staff, lead):
    return proposal_draft_from_case(
        case=case, actor=staff, kind=ProposalKind.PROPOSAL, title="关于电梯改造的提案", lead=lead
    )


def _today():
    return timezone.localdate()


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
    assert login_redirect(sign_in(None).get("/activities/"))


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

    assert response.status_code == 404 if user else login_redirect(response)
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
    assert login_redirect(sign_in(None).get(f"/activities/{activity.pk}/"))


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
    assert login_redirect(sign_in(None).get(f"/proposals/{proposal.pk}/"))


def test_the_proposal_page_refuses_a_post(sign_in, staff, proposal):
    assert sign_in(staff).post(f"/proposals/{proposal.pk}/").status_code == 405


def _member_login(username: str):
    user = UserFactory(username=username, role=roles.MEMBERS)
    MemberFactory(name="刘委员", user=user)
    return user
