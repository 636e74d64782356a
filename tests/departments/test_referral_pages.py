"""A department's liaison on their own pages: the referrals of their department and
nothing else, each step (签收, reply, return) through the lifecycle, refusals that change
nothing, and no citizen's contact details anywhere. Every role on every page."""

import pytest

from visits import lifecycle
from visits.models import Case, CaseEvent, EventKind, Referral, ReferralRole, ReferralState

from ..pages import errors_next_to, html, login_redirect, queries_for, section
from ..stories import ADDRESS, NAME, PHONE


@pytest.fixture
def referred(world, workstation) -> Case:
    return world.referred(workstation, title="电梯停运三周", description="3号楼电梯停运三周无人修")


@pytest.fixture
def lead(referred) -> Referral:
    return referred.referrals.get(role=ReferralRole.LEAD)


def detail(referral: Referral) -> str:
    return f"/department/referrals/{referral.pk}/"


def step(referral: Referral, action: str) -> str:
    return f"{detail(referral)}{action}/"


def post_step(client, referral: Referral, action: str, **fields):
    data = {f"{action}-referral": referral.pk, f"{action}-seen_status": referral.case.status}
    data |= {f"{action}-{name}": value for name, value in fields.items()}
    return client.post(step(referral, action), data)


# --- who sees what ---------------------------------------------------------------------


def test_the_liaison_lists_their_departments_referrals_only(sign_in, liaison, lead, referred):
    page = html(sign_in(liaison).get("/department/"))

    assert referred.number in page and "电梯停运三周" in page
    assert page.count(f'href="/department/referrals/{lead.pk}/"') == 1
    co = referred.referrals.get(role=ReferralRole.CO)
    assert f"/department/referrals/{co.pk}/" not in page


def test_another_departments_liaison_does_not_see_the_referral(sign_in, other_liaison, lead):
    client = sign_in(other_liaison)

    assert f"/department/referrals/{lead.pk}/" not in html(client.get("/department/"))
    assert client.get(detail(lead)).status_code == 404


@pytest.mark.parametrize("persona", ["administrator", "staff", "other_staff", "member_user"])
def test_the_department_pages_are_not_for_the_other_roles(
    request, sign_in, lead, persona, departments
):
    client = sign_in(request.getfixturevalue(persona))

    assert client.get("/department/").status_code == 404
    assert client.get(detail(lead)).status_code == 404
    assert post_step(client, lead, "acknowledge").status_code == 404
    assert Referral.objects.get(pk=lead.pk).state == ReferralState.SENT


def test_anonymous_visitors_are_sent_to_sign_in(client, lead):
    assert login_redirect(client.get("/department/"))
    assert login_redirect(client.get(detail(lead)))


def test_the_referral_page_shows_the_case_but_never_the_citizens_contact_details(
    sign_in, liaison, lead
):
    page = html(sign_in(liaison).get(detail(lead)))

    assert "3号楼电梯停运三周无人修" in page and "转住建局" in page
    for personal in (NAME, PHONE, ADDRESS, NAME[0] + "*"):
        assert personal not in page


def test_a_liaison_sees_no_case_page_no_case_list_and_no_dashboard(sign_in, liaison, referred):
    client = sign_in(liaison)

    assert client.get(f"/cases/{referred.number}/").status_code == 404
    assert client.get("/cases/").status_code == 404
    assert client.get("/cases/export.csv").status_code == 404
    assert client.get("/dashboard/")["Location"] == "/department/"


# --- the department's steps --------------------------------------------------------------


def test_signing_for_a_referral_acknowledges_it_in_the_liaisons_name(sign_in, liaison, lead):
    response = post_step(sign_in(liaison), lead, "acknowledge")

    assert response["Location"] == detail(lead)
    lead.refresh_from_db()
    assert lead.state == ReferralState.ACKNOWLEDGED
    event = CaseEvent.objects.get(referral=lead, kind=EventKind.ACKNOWLEDGED)
    assert event.actor == liaison


def test_signing_twice_is_refused_with_its_reason_and_records_one_event(sign_in, liaison, lead):
    client = sign_in(liaison)
    post_step(client, lead, "acknowledge")

    again = post_step(client, lead, "acknowledge")

    assert again.status_code == 400
    assert "Only a referral that was sent can be acknowledged." in html(again)
    assert CaseEvent.objects.filter(referral=lead, kind=EventKind.ACKNOWLEDGED).count() == 1


def test_the_leads_reply_moves_the_case_to_replied_and_the_desk_sees_who_answered(
    sign_in, liaison, staff, lead, referred
):
    response = post_step(sign_in(liaison), lead, "reply", reply="已责成物业公司五日内修复电梯")

    assert response.status_code == 302
    assert Case.objects.get(pk=referred.pk).status == Case.Status.REPLIED
    case_page = html(sign_in(staff, language="zh-hans").get(f"/cases/{referred.number}/"))
    assert "部门联络人 刘建华 · 区住建局" in case_page


def test_an_empty_reply_is_refused_next_to_its_field_and_changes_nothing(sign_in, liaison, lead):
    response = post_step(sign_in(liaison), lead, "reply", reply="  ")

    assert response.status_code == 400
    assert errors_next_to(response, "id_reply-reply") == ["This field is required."]
    assert Referral.objects.get(pk=lead.pk).state == ReferralState.SENT
    assert not CaseEvent.objects.filter(referral=lead, kind=EventKind.REPLIED).exists()


def test_sending_it_back_needs_a_reason_and_returns_the_case_to_the_desk(sign_in, liaison, lead):
    client = sign_in(liaison)
    refused = post_step(client, lead, "return", reason="")
    assert refused.status_code == 400
    assert errors_next_to(refused, "id_return-reason") == ["This field is required."]
    assert Referral.objects.get(pk=lead.pk).state == ReferralState.SENT

    response = post_step(client, lead, "return", reason="不属本局职责，建议转街道办")

    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.state, lead.return_reason) == (
        ReferralState.RETURNED,
        "不属本局职责，建议转街道办",
    )


def test_a_step_on_another_departments_referral_is_a_404_and_changes_nothing(
    sign_in, other_liaison, lead
):
    response = post_step(sign_in(other_liaison), lead, "reply", reply="越权答复")

    assert response.status_code == 404
    assert Referral.objects.get(pk=lead.pk).state == ReferralState.SENT


def test_the_list_runs_as_many_queries_for_fifty_referrals_as_for_five(
    sign_in, liaison, world, workstation
):
    client = sign_in(liaison)
    for _ in range(5):
        world.referred(workstation, co=False)
    with_five = queries_for(client, "/department/")
    for _ in range(45):
        world.referred(workstation, co=False)

    assert queries_for(client, "/department/") == with_five


def test_the_timeline_marks_a_reply_the_desk_entered_for_the_department(
    sign_in, staff, liaison, lead, referred
):
    lifecycle.referral_acknowledge(referral=lead, actor=liaison)
    lifecycle.referral_reply(
        referral=Referral.objects.get(pk=lead.pk), actor=staff, reply="书面答复：已整改"
    )

    timeline = section(
        sign_in(staff, language="zh-hans").get(f"/cases/{referred.number}/"),
        "timeline-heading",
        "actions-heading",
    )

    acknowledged, replied = (
        timeline.split("已签收")[1].split("</li>")[0],
        timeline.split("书面答复：已整改")[0].rsplit("<li>", 1)[1],
    )
    assert "代部门录入" not in acknowledged
    assert "代部门录入" in replied
