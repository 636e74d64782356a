"""The rules for recording activities and proposals: every bad input is refused with its
message and nothing is saved."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from activities import services
from activities.models import Activity, ActivityKind, CoSignature, Proposal, ProposalKind
from visits.lifecycle import CaseError, case_consult
from visits.models import Case, CaseEvent, EventKind

from ..factories import MemberFactory, UserFactory

pytestmark = pytest.mark.usefixtures("english")


def activity(**fields) -> Activity:
    fields = {
        "kind": ActivityKind.COMMUNITY_VISIT,
        "title": "进社区走访",
        "date": timezone.localdate(),
    } | fields
    return Activity(**fields)


# --- check_organiser ------------------------------------------------------------------


def test_staff_of_the_workstation_may_organise_its_activity(staff, workstation):
    services.check_organiser(staff, [workstation])


def test_an_administrator_may_organise_any_workstations_activity(
    administrator, workstation, other_workstation
):
    services.check_organiser(administrator, [workstation, other_workstation])


def test_an_organiser_not_staff_of_the_workstation_is_refused_with_its_name(
    other_staff, workstation
):
    with pytest.raises(ValidationError) as refused:
        services.check_organiser(other_staff, [workstation])

    (message,) = refused.value.message_dict["organiser"]
    assert "other-liaison is not staff of 西一路街道委员工作室" in message


def test_an_organiser_must_be_staff_of_every_chosen_workstation(
    staff, workstation, other_workstation
):
    with pytest.raises(ValidationError) as refused:
        services.check_organiser(staff, [workstation, other_workstation])

    assert "胡家庙街道委员工作室" in refused.value.message_dict["organiser"][0]
    assert "西一路" not in refused.value.message_dict["organiser"][0]


def test_a_member_cannot_organise_an_activity(member_user, workstation):
    with pytest.raises(ValidationError):
        services.check_organiser(member_user, [workstation])


# --- activity_record ------------------------------------------------------------------


def test_recording_an_activity_saves_its_organiser_workstations_and_participants(
    staff, workstation, lead
):
    saved = services.activity_record(
        activity=activity(suggestions_gathered=4),
        workstations=[workstation],
        participants=[lead],
        organiser=staff,
    )

    saved = Activity.objects.get(pk=saved.pk)
    assert saved.organiser == staff
    assert list(saved.workstations.all()) == [workstation]
    assert list(saved.participants.all()) == [lead]


def test_an_activity_recorded_by_staff_of_another_workstation_is_refused_and_not_saved(
    other_staff, workstation, lead
):
    with pytest.raises(ValidationError) as refused:
        services.activity_record(
            activity=activity(),
            workstations=[workstation],
            participants=[lead],
            organiser=other_staff,
        )

    assert "organiser" in refused.value.message_dict
    assert not Activity.objects.exists()


def test_a_donation_without_an_amount_is_refused_and_not_saved(staff, workstation):
    with pytest.raises(ValidationError) as refused:
        services.activity_record(
            activity=activity(kind=ActivityKind.DONATION),
            workstations=[workstation],
            organiser=staff,
        )

    assert refused.value.message_dict["amount"] == ["Enter the amount donated."]
    assert not Activity.objects.exists()


def test_a_donation_with_its_amount_is_saved(staff, workstation):
    saved = services.activity_record(
        activity=activity(kind=ActivityKind.DONATION, amount=Decimal("2000")),
        workstations=[workstation],
        organiser=staff,
    )

    assert Activity.objects.get(pk=saved.pk).amount == Decimal("2000.00")


def test_an_activity_without_a_workstation_is_refused(staff):
    with pytest.raises(ValidationError) as refused:
        services.activity_record(activity=activity(), workstations=[], organiser=staff)

    assert "workstations" in refused.value.message_dict
    assert not Activity.objects.exists()


def test_attendance_replaces_the_list_of_participants(staff, workstation, lead):
    saved = services.activity_record(
        activity=activity(), workstations=[workstation], participants=[lead], organiser=staff
    )
    other = MemberFactory(home_workstation=workstation)

    services.activity_attendance(activity=saved, participants=[other])

    assert list(saved.participants.all()) == [other]


# --- proposal_check / proposal_save ---------------------------------------------------


def test_a_co_signer_who_is_the_lead_is_refused_and_nothing_saved(lead):
    proposal = Proposal(title="关于加快老旧小区电梯改造的提案", lead=lead)

    with pytest.raises(ValidationError) as refused:
        services.proposal_save(proposal=proposal, cosigners=[lead])

    assert refused.value.message_dict["cosigners"] == [
        "The lead member cannot also be a co-signer."
    ]
    assert not Proposal.objects.exists() and not CoSignature.objects.exists()


def test_a_co_signer_listed_twice_is_refused_and_nothing_saved(lead, workstation):
    cosigner = MemberFactory(name="赵委员", home_workstation=workstation)

    with pytest.raises(ValidationError) as refused:
        services.proposal_save(
            proposal=Proposal(title="提案", lead=lead), cosigners=[cosigner, cosigner]
        )

    assert refused.value.message_dict["cosigners"] == ["赵委员 is listed twice as a co-signer."]
    assert not Proposal.objects.exists()


def test_a_proposal_without_a_lead_is_refused_and_nothing_saved(db):
    with pytest.raises(ValidationError) as refused:
        services.proposal_save(proposal=Proposal(title="无人领衔的提案"))

    assert refused.value.message_dict["lead"] == ["Choose the lead member."]
    assert not Proposal.objects.exists()


def test_a_reply_class_outside_a_b_c_is_refused_and_nothing_saved(lead):
    proposal = Proposal(title="提案", lead=lead, reply_class="D")

    with pytest.raises(ValidationError) as refused:
        services.proposal_save(proposal=proposal)

    assert "reply_class" in refused.value.message_dict
    assert not Proposal.objects.exists()


def test_a_proposal_with_co_signers_is_saved_with_their_invitations(lead, workstation):
    cosigner = MemberFactory(home_workstation=workstation)

    saved = services.proposal_save(
        proposal=Proposal(title="提案", lead=lead, reply_class="A"), cosigners=[cosigner]
    )

    assert list(saved.cosigners.values_list("member", flat=True)) == [cosigner.pk]


def test_a_co_signature_of_the_lead_is_refused_by_the_model_too(lead):
    proposal = services.proposal_save(proposal=Proposal(title="提案", lead=lead))

    with pytest.raises(ValidationError) as refused:
        CoSignature(proposal=proposal, member=lead).full_clean()

    assert refused.value.message_dict["member"] == ["The lead member cannot also be a co-signer."]


# --- proposal_draft_from_case ---------------------------------------------------------


def test_a_case_becomes_a_draft_linked_both_ways_with_a_note_on_its_timeline(case, staff, lead):
    proposal = services.proposal_draft_from_case(
        case=case, actor=staff, kind=ProposalKind.PROPOSAL, title="关于电梯改造的提案", lead=lead
    )

    assert proposal.status == Proposal.Status.DRAFT and proposal.lead == lead
    assert list(proposal.cases.all()) == [case]
    assert list(case.proposals.all()) == [proposal]
    note = CaseEvent.objects.filter(case=case).order_by("pk").last()
    assert note.kind == EventKind.NOTE and note.actor == staff
    assert note.note == "Drafted proposal: 关于电梯改造的提案"
    # A note changes nothing else about the case.
    assert Case.objects.get(pk=case.pk).status == case.status


def test_a_case_becomes_a_public_opinion_report(case, staff, lead):
    report = services.proposal_draft_from_case(
        case=case, actor=staff, kind=ProposalKind.OPINION, title="电梯停运社情民意", lead=lead
    )

    assert report.kind == ProposalKind.OPINION
    assert CaseEvent.objects.filter(case=case).last().note == (
        "Drafted public-opinion report: 电梯停运社情民意"
    )


def test_the_same_draft_made_twice_from_a_case_is_refused_naming_the_first(case, staff, lead):
    first = services.proposal_draft_from_case(
        case=case, actor=staff, kind=ProposalKind.PROPOSAL, title="电梯", lead=lead
    )
    events = CaseEvent.objects.count()

    with pytest.raises(services.DuplicateDraft) as duplicate:
        services.proposal_draft_from_case(
            case=case, actor=staff, kind=ProposalKind.PROPOSAL, title=" 电梯 ", lead=lead
        )

    assert duplicate.value.proposal == first
    assert Proposal.objects.count() == 1 and CaseEvent.objects.count() == events


def test_a_draft_without_a_lead_is_refused_and_nothing_saved(case, staff):
    events = CaseEvent.objects.count()

    with pytest.raises(ValidationError) as refused:
        services.proposal_draft_from_case(
            case=case, actor=staff, kind=ProposalKind.PROPOSAL, title="电梯", lead=None
        )

    assert refused.value.message_dict["lead"] == ["Choose the lead member."]
    assert not Proposal.objects.exists() and CaseEvent.objects.count() == events


def test_a_draft_from_a_case_someone_changed_meanwhile_is_refused(case, staff, lead):
    case_consult(case=Case.objects.get(pk=case.pk), actor=staff, note="微协商")

    with pytest.raises(CaseError):
        services.proposal_draft_from_case(
            case=case, actor=staff, kind=ProposalKind.PROPOSAL, title="电梯", lead=lead
        )

    assert not Proposal.objects.exists()


def test_an_unknown_user_may_not_organise(workstation):
    with pytest.raises(ValidationError):
        services.check_organiser(UserFactory(), [workstation])
