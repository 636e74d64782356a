"""Activities and proposals in Django admin, as the district administrator uses them:
the issue's bad input refused with its message and nothing saved."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.models import Activity, ActivityKind, CoSignature, Proposal, ProposalKind
from activities.services import proposal_draft_from_case

from ..factories import MemberFactory, open_case
from ..pages import html

ACTIVITIES = "/admin/activities/activity/"
PROPOSALS = "/admin/activities/proposal/"


def _activity(workstation, organiser, **fields) -> dict:
    return {
        "kind": ActivityKind.COMMUNITY_VISIT,
        "title": "进社区听民意",
        "date": timezone.localdate().isoformat(),
        "workstations": [workstation.pk],
        "organiser": organiser.pk,
        "description": "",
        "suggestions_gathered": "5",
        "amount": "",
    } | fields


def _proposal(lead, *cosigners, **fields) -> dict:
    data = {
        "kind": ProposalKind.PROPOSAL,
        "title": "关于加快老旧小区电梯改造的提案",
        "body": "",
        "lead": lead.pk if lead else "",
        "status": Proposal.Status.DRAFT,
        "rejection_reason": "",
        "reply": "",
        "reply_class": "",
        "proposer_satisfaction": "",
        "cosigners-TOTAL_FORMS": str(len(cosigners)),
        "cosigners-INITIAL_FORMS": "0",
        "cosigners-MIN_NUM_FORMS": "0",
        "cosigners-MAX_NUM_FORMS": "1000",
    }
    now = timezone.localtime()
    for i, member in enumerate(cosigners):
        data |= {
            f"cosigners-{i}-member": member.pk,
            f"cosigners-{i}-invited_at_0": f"{now:%Y-%m-%d}",
            f"cosigners-{i}-invited_at_1": f"{now:%H:%M:%S}",
        }
    return data | fields


def _errors(response) -> str:
    return " ".join(
        str(e) for e in [response.context["adminform"].form.errors, *_inline_errors(response)]
    )


def _inline_errors(response) -> list:
    formsets = [inline.formset for inline in response.context["inline_admin_formsets"]]
    return [e for formset in formsets for e in (*formset.errors, formset.non_form_errors())]


# --- activities -----------------------------------------------------------------------


def test_the_activity_list_and_form_open_for_the_administrator(admin_client, workstation, staff):
    Activity.objects.create(
        kind=ActivityKind.LEGAL_AID, title="法律咨询日", date=timezone.localdate(), organiser=staff
    )

    assert "法律咨询日" in html(admin_client.get(ACTIVITIES))
    assert (
        admin_client.get(f"{ACTIVITIES}?kind__exact=legal_aid&is_published__exact=0").status_code
        == 200
    )
    assert admin_client.get(f"{ACTIVITIES}add/").status_code == 200


def test_an_activity_whose_organiser_is_staff_of_its_workstation_is_saved(
    admin_client, workstation, staff, lead
):
    response = admin_client.post(
        f"{ACTIVITIES}add/", _activity(workstation, staff, participants=[lead.pk])
    )

    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.organiser == staff and list(activity.participants.all()) == [lead]


def test_an_activity_whose_organiser_is_not_staff_of_its_workstation_is_refused(
    admin_client, workstation, other_staff
):
    response = admin_client.post(f"{ACTIVITIES}add/", _activity(workstation, other_staff))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["organiser"]
    assert errors == [
        "other-liaison is not staff of 西一路街道委员工作室: the organiser records "
        "activities of their own workstations only."
    ]
    assert not Activity.objects.exists()


def test_an_administrator_may_be_the_organiser_anywhere(admin_client, administrator, workstation):
    admin_client.post(f"{ACTIVITIES}add/", _activity(workstation, administrator))

    assert Activity.objects.get().organiser == administrator


def test_a_donation_without_an_amount_is_refused_in_admin(admin_client, workstation, staff):
    response = admin_client.post(
        f"{ACTIVITIES}add/", _activity(workstation, staff, kind=ActivityKind.DONATION)
    )

    assert response.context["adminform"].form.errors["amount"] == ["Enter the amount donated."]
    assert not Activity.objects.exists()


def test_the_add_form_proposes_the_signed_in_user_as_organiser(admin_client, administrator):
    form = admin_client.get(f"{ACTIVITIES}add/").context["adminform"].form

    assert form.initial["organiser"] == administrator.pk


# --- proposals ------------------------------------------------------------------------


def test_a_proposal_with_a_co_signer_is_saved(admin_client, lead, workstation):
    cosigner = MemberFactory(name="王秀兰", home_workstation=workstation)

    response = admin_client.post(f"{PROPOSALS}add/", _proposal(lead, cosigner))

    assert response.status_code == 302
    assert list(Proposal.objects.get().cosigners.values_list("member", flat=True)) == [cosigner.pk]


def test_the_lead_as_co_signer_is_refused_and_nothing_saved(admin_client, lead):
    response = admin_client.post(f"{PROPOSALS}add/", _proposal(lead, lead))

    assert response.status_code == 200
    assert "The lead member cannot also be a co-signer." in _errors(response)
    assert not Proposal.objects.exists() and not CoSignature.objects.exists()


def test_the_lead_as_co_signer_is_refused_on_an_existing_proposal_too(admin_client, lead):
    proposal = Proposal.objects.create(title="提案", lead=lead)

    response = admin_client.post(
        f"{PROPOSALS}{proposal.pk}/change/", _proposal(lead, lead, title="提案")
    )

    assert "The lead member cannot also be a co-signer." in _errors(response)
    assert not CoSignature.objects.exists()


def test_a_co_signer_listed_twice_is_refused_and_nothing_saved(admin_client, lead, workstation):
    cosigner = MemberFactory(name="王秀兰", home_workstation=workstation)

    response = admin_client.post(f"{PROPOSALS}add/", _proposal(lead, cosigner, cosigner))

    assert response.status_code == 200
    # Django's own check of the unique (proposal, member) pair speaks first.
    assert "Please correct the duplicate data for member" in _errors(response)
    assert not Proposal.objects.exists()


def test_a_proposal_without_a_lead_is_refused_and_nothing_saved(admin_client):
    response = admin_client.post(f"{PROPOSALS}add/", _proposal(None))

    assert response.context["adminform"].form.errors["lead"] == ["This field is required."]
    assert not Proposal.objects.exists()


def test_the_proposal_page_shows_its_cases_read_only_with_links(
    admin_client, lead, workstation, staff
):
    case = open_case(workstation=workstation, actor=staff)
    proposal = proposal_draft_from_case(
        case=case, actor=staff, kind=ProposalKind.PROPOSAL, title="提案", lead=lead
    )

    response = admin_client.get(f"{PROPOSALS}{proposal.pk}/change/")

    assert f'<a href="/cases/{case.number}/">{case.number}</a>' in html(response)
    assert "cases" not in response.context["adminform"].form.fields


def test_the_proposal_list_filters_by_kind_status_and_excellence(admin_client, lead, workstation):
    # One draft proposal of 张建国 matches every filter; each other row misses one of them.
    Proposal.objects.create(title="电梯提案", lead=lead)
    Proposal.objects.create(title="停车难", lead=lead, kind=ProposalKind.OPINION)
    Proposal.objects.create(
        title="加装扶手", lead=lead, status=Proposal.Status.SUBMITTED, submitted_on=date(2026, 3, 2)
    )
    Proposal.objects.create(
        title="老旧小区改造", lead=lead, status=Proposal.Status.ACCEPTED,
        submitted_on=date(2026, 3, 2), is_excellent=True,
    )  # fmt: skip
    Proposal.objects.create(
        title="垃圾分类", lead=MemberFactory(name="李梅", home_workstation=workstation)
    )

    def listed(query: str) -> set[str]:
        response = admin_client.get(f"{PROPOSALS}?{query}")
        assert response.status_code == 200
        return {proposal.title for proposal in response.context["cl"].result_list}

    everything = {"电梯提案", "停车难", "加装扶手", "老旧小区改造", "垃圾分类"}
    assert listed("") == everything
    assert listed("kind__exact=proposal") == everything - {"停车难"}
    assert listed("status__exact=draft") == {"电梯提案", "停车难", "垃圾分类"}
    assert listed("is_excellent__exact=0") == everything - {"老旧小区改造"}
    assert listed("q=张建国") == everything - {"垃圾分类"}
    assert listed("kind__exact=proposal&status__exact=draft&is_excellent__exact=0&q=张建国") == {
        "电梯提案"
    }


@pytest.mark.parametrize("changelist", [ACTIVITIES, PROPOSALS])
def test_the_changelists_run_as_many_queries_for_30_rows_as_for_5(
    admin_client, changelist, staff, workstation, django_assert_num_queries
):
    def make(n: int) -> None:
        for i in range(n):
            member = MemberFactory(home_workstation=workstation)
            Activity.objects.create(
                kind=ActivityKind.MICRO_CONSULTATION,
                title=f"微协商{i}",
                date=timezone.localdate(),
                organiser=staff,
            )
            Proposal.objects.create(title=f"提案{i}", lead=member)

    make(5)
    admin_client.get(changelist)
    with CaptureQueriesContext(connection) as with_five:
        admin_client.get(changelist)
    make(25)

    with django_assert_num_queries(len(with_five)):
        response = admin_client.get(changelist)

    assert response.context["cl"].result_count == 30
