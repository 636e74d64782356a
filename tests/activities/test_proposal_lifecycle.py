"""The proposal lifecycle (activities/lifecycle.py): each step allowed or refused by the
table and its guard, a refusal changes nothing, every step leaves one event, a stale page
is refused; admin takes the steps only through it; the proposal page shows the timeline."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from activities import lifecycle
from activities.lifecycle import ProposalError, Step
from activities.models import Proposal, ProposalEvent, ProposalStatus
from audit.models import AuditEntry
from points.models import Category, PointEntry, PointRule, ScoringYear
from visits.models import Satisfaction

from ..factories import DepartmentFactory
from ..pages import html

S = ProposalStatus
PROPOSALS = "/admin/activities/proposal/"
NOW = timezone.make_aware(datetime(2026, 3, 2, 10, 0))

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def draft(lead):
    return Proposal.objects.create(title="关于加快老旧小区电梯改造的提案", lead=lead)


@pytest.fixture
def submitted(draft, administrator):
    return lifecycle.proposal_submit(proposal=draft, actor=administrator, now=NOW)


@pytest.fixture
def accepted(submitted, administrator):
    return lifecycle.proposal_accept(proposal=submitted, actor=administrator, now=NOW)


def _report(lead, administrator) -> Proposal:
    report = Proposal.objects.create(
        title="关于电动自行车充电的社情民意", lead=lead, kind="opinion"
    )
    report = lifecycle.proposal_submit(proposal=report, actor=administrator, now=NOW)
    return lifecycle.proposal_accept(proposal=report, actor=administrator, now=NOW)


def _row(proposal: Proposal) -> dict:
    return Proposal.objects.filter(pk=proposal.pk).values().get()


# --- the steps ------------------------------------------------------------------------


def test_a_submitted_draft_is_dated_and_leaves_one_event(draft, administrator):
    proposal = lifecycle.proposal_submit(proposal=draft, actor=administrator, note="交", now=NOW)

    proposal.refresh_from_db()
    assert (proposal.status, proposal.submitted_on) == (S.SUBMITTED, date(2026, 3, 2))
    event = ProposalEvent.objects.get(proposal=proposal)
    assert (event.step, event.from_status, event.to_status) == (Step.SUBMIT, S.DRAFT, S.SUBMITTED)
    assert (event.actor, event.at, event.note) == (administrator, NOW, "交")


def test_acceptance_is_dated_and_names_the_lead_department(submitted, administrator):
    department = DepartmentFactory(name="区住建局")

    lifecycle.proposal_accept(
        proposal=submitted, actor=administrator, lead_department=department, now=NOW
    )

    submitted.refresh_from_db()
    assert (submitted.status, submitted.decided_on) == (S.ACCEPTED, date(2026, 3, 2))
    assert submitted.lead_department == department
    assert submitted.events.last().to_status == S.ACCEPTED


def test_acceptance_by_a_department_that_is_closed_is_refused_and_changes_nothing(
    submitted, administrator
):
    before = _row(submitted)

    with pytest.raises(ProposalError, match="no longer takes proposals"):
        lifecycle.proposal_accept(
            proposal=submitted,
            actor=administrator,
            lead_department=DepartmentFactory(is_active=False),
        )

    assert _row(submitted) == before
    assert submitted.events.count() == 1


def test_not_accepting_without_a_reason_is_refused_and_changes_nothing(submitted, administrator):
    before = _row(submitted)

    with pytest.raises(ProposalError, match="Give the reason"):
        lifecycle.proposal_decline(proposal=submitted, actor=administrator, reason="  ")

    assert _row(submitted) == before
    assert submitted.events.count() == 1


def test_a_proposal_not_accepted_keeps_its_reason_in_the_row_and_the_timeline(
    submitted, administrator
):
    lifecycle.proposal_decline(proposal=submitted, actor=administrator, reason="属个案", now=NOW)

    submitted.refresh_from_db()
    assert (submitted.status, submitted.rejection_reason) == (S.NOT_ACCEPTED, "属个案")
    assert submitted.decided_on == date(2026, 3, 2)
    assert submitted.events.last().note == "属个案"


def test_a_proposal_is_merged_into_another_on_the_same_matter(submitted, lead, administrator):
    other = lifecycle.proposal_submit(
        proposal=Proposal.objects.create(title="关于电梯加装的提案", lead=lead),
        actor=administrator,
        now=NOW,
    )

    lifecycle.proposal_merge(proposal=other, actor=administrator, into=submitted, now=NOW)

    other.refresh_from_db()
    assert (other.status, other.merged_into, other.decided_on) == (
        S.MERGED,
        submitted,
        date(2026, 3, 2),
    )
    assert "关于加快老旧小区电梯改造的提案" in other.events.last().note


def test_merging_into_itself_or_into_a_draft_is_refused_and_changes_nothing(
    submitted, lead, administrator
):
    draft = Proposal.objects.create(title="草稿", lead=lead)
    before = _row(submitted)

    with pytest.raises(ProposalError, match="into itself"):
        lifecycle.proposal_merge(proposal=submitted, actor=administrator, into=submitted)
    with pytest.raises(ProposalError, match="merge into a submitted or accepted proposal"):
        lifecycle.proposal_merge(proposal=submitted, actor=administrator, into=draft)

    assert _row(submitted) == before
    assert submitted.events.count() == 1


def test_the_reply_needs_its_text_and_a_class_a_b_or_c(accepted, administrator):
    before = _row(accepted)
    with pytest.raises(ProposalError, match="Enter the departments' reply"):
        lifecycle.proposal_reply(proposal=accepted, actor=administrator, reply="", reply_class="A")
    with pytest.raises(ProposalError, match="A, B or C"):
        lifecycle.proposal_reply(
            proposal=accepted, actor=administrator, reply="已办", reply_class="D"
        )
    assert _row(accepted) == before

    lifecycle.proposal_reply(proposal=accepted, actor=administrator, reply="已办", reply_class="B")

    accepted.refresh_from_db()
    assert (accepted.status, accepted.reply, accepted.reply_class) == (S.ACCEPTED, "已办", "B")
    assert accepted.events.last().step == Step.REPLY


def test_the_proposers_satisfaction_waits_for_the_reply(accepted, administrator):
    with pytest.raises(ProposalError, match="Record the reply before"):
        lifecycle.proposal_record_satisfaction(
            proposal=accepted, actor=administrator, satisfaction=Satisfaction.SATISFIED
        )
    assert _row(accepted)["proposer_satisfaction"] == ""

    accepted = lifecycle.proposal_reply(
        proposal=accepted, actor=administrator, reply="已办", reply_class="A"
    )
    lifecycle.proposal_record_satisfaction(
        proposal=accepted, actor=administrator, satisfaction=Satisfaction.BASICALLY
    )

    assert _row(accepted)["proposer_satisfaction"] == Satisfaction.BASICALLY


def test_only_a_proposal_is_rated_excellent_and_only_a_report_adopted(
    accepted, lead, administrator
):
    report = _report(lead, administrator)

    with pytest.raises(ProposalError, match="Only a proposal is rated excellent"):
        lifecycle.proposal_rate_excellent(proposal=report, actor=administrator)
    with pytest.raises(ProposalError, match="Only a public-opinion report is adopted"):
        lifecycle.proposal_adopt(proposal=accepted, actor=administrator)
    assert not _row(report)["is_excellent"] and not _row(accepted)["is_adopted"]

    lifecycle.proposal_rate_excellent(proposal=accepted, actor=administrator)
    lifecycle.proposal_adopt(proposal=report, actor=administrator)

    assert _row(accepted)["is_excellent"] and _row(report)["is_adopted"]
    with pytest.raises(ProposalError, match="already rated excellent"):
        lifecycle.proposal_rate_excellent(proposal=Proposal.objects.get(pk=accepted.pk), actor=None)


ARGUMENTS = {
    Step.SUBMIT: {},
    Step.ACCEPT: {},
    Step.DECLINE: {"reason": "不予立案"},
    Step.REPLY: {"reply": "已办", "reply_class": "A"},
    Step.SATISFACTION: {"satisfaction": Satisfaction.SATISFIED},
    Step.EXCELLENT: {},
    Step.ADOPT: {},
}
REFUSED = [
    (S.DRAFT, Step.ACCEPT),
    (S.DRAFT, Step.DECLINE),
    (S.DRAFT, Step.REPLY),
    (S.DRAFT, Step.EXCELLENT),
    (S.DRAFT, Step.ADOPT),
    (S.SUBMITTED, Step.SUBMIT),
    (S.SUBMITTED, Step.REPLY),
    (S.SUBMITTED, Step.EXCELLENT),
    (S.ACCEPTED, Step.SUBMIT),
    (S.ACCEPTED, Step.ACCEPT),
    (S.ACCEPTED, Step.DECLINE),
    (S.NOT_ACCEPTED, Step.ACCEPT),
    (S.NOT_ACCEPTED, Step.REPLY),
]


@pytest.mark.parametrize(("status", "step"), REFUSED)
def test_a_step_the_table_forbids_is_refused_and_changes_nothing(
    status, step, draft, administrator
):
    proposal = draft
    path = {
        S.SUBMITTED: [Step.SUBMIT],
        S.ACCEPTED: [Step.SUBMIT, Step.ACCEPT],
        S.NOT_ACCEPTED: [Step.SUBMIT, Step.DECLINE],
    }.get(status, [])
    for earlier in path:
        proposal = lifecycle.FUNCTIONS[earlier](
            proposal=proposal, actor=administrator, **ARGUMENTS[earlier]
        )
    before, events = _row(proposal), ProposalEvent.objects.count()
    assert not lifecycle.can(proposal, step)

    with pytest.raises(ProposalError, match="is not possible while the proposal is"):
        lifecycle.FUNCTIONS[step](proposal=proposal, actor=administrator, **ARGUMENTS[step])

    assert _row(proposal) == before
    assert ProposalEvent.objects.count() == events


def test_a_step_from_a_stale_page_is_refused_and_changes_nothing(submitted, administrator):
    before = _row(submitted)

    with pytest.raises(ProposalError, match="Someone else changed this proposal"):
        lifecycle.proposal_decline(
            proposal=submitted, actor=administrator, reason="重复", seen_status=S.DRAFT
        )

    assert _row(submitted) == before


def test_a_whole_review_leaves_one_event_per_step_in_order(draft, administrator):
    proposal = draft
    for step in (Step.SUBMIT, Step.ACCEPT, Step.REPLY, Step.SATISFACTION, Step.EXCELLENT):
        proposal = lifecycle.FUNCTIONS[step](
            proposal=proposal, actor=administrator, **ARGUMENTS[step]
        )

    assert list(proposal.events.values_list("step", "from_status", "to_status")) == [
        (Step.SUBMIT, S.DRAFT, S.SUBMITTED),
        (Step.ACCEPT, S.SUBMITTED, S.ACCEPTED),
        (Step.REPLY, S.ACCEPTED, S.ACCEPTED),
        (Step.SATISFACTION, S.ACCEPTED, S.ACCEPTED),
        (Step.EXCELLENT, S.ACCEPTED, S.ACCEPTED),
    ]


def test_a_proposal_event_can_be_neither_changed_nor_deleted(submitted):
    event = submitted.events.get()

    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        ProposalEvent.objects.filter(pk=event.pk).update(note="改")
    with pytest.raises(TypeError):
        ProposalEvent.objects.all().delete()


def test_the_ledger_scores_a_proposal_moved_by_the_lifecycle(
    draft, lead, administrator, django_capture_on_commit_callbacks
):
    year = ScoringYear.objects.create(year=NOW.year)
    for category, points in (
        (Category.PROPOSAL_FILED, 5),
        (Category.PROPOSAL_ACCEPTED, 5),
        (Category.PROPOSAL_EXCELLENT, 10),
    ):
        PointRule.objects.create(scoring_year=year, category=category, points=points)

    with django_capture_on_commit_callbacks(execute=True):
        proposal = lifecycle.proposal_submit(proposal=draft, actor=administrator, now=NOW)
        proposal = lifecycle.proposal_accept(proposal=proposal, actor=administrator, now=NOW)
        lifecycle.proposal_rate_excellent(proposal=proposal, actor=administrator, now=NOW)

    entries = PointEntry.objects.filter(member=lead, reversed_at__isnull=True)
    assert sorted(entries.values_list("category", "points")) == [
        (Category.PROPOSAL_ACCEPTED, Decimal("5")),
        (Category.PROPOSAL_EXCELLENT, Decimal("10")),
        (Category.PROPOSAL_FILED, Decimal("5")),
    ]


# --- admin ----------------------------------------------------------------------------


def _change_form(proposal: Proposal, **fields) -> dict:
    return {
        "kind": proposal.kind,
        "title": proposal.title,
        "body": "",
        "lead": proposal.lead_id,
        "cosigners-TOTAL_FORMS": "0",
        "cosigners-INITIAL_FORMS": "0",
        "cosigners-MIN_NUM_FORMS": "0",
        "cosigners-MAX_NUM_FORMS": "1000",
    } | fields


def test_the_admin_form_changes_neither_the_status_nor_the_decisions(admin_client, submitted):
    before = _row(submitted)

    response = admin_client.post(
        f"{PROPOSALS}{submitted.pk}/change/",
        _change_form(
            submitted,
            title="改过的标题",
            status=S.ACCEPTED,
            is_excellent="on",
            reply_class="A",
            rejection_reason="x",
        ),
    )

    assert response.status_code == 302
    after = _row(submitted)
    assert after["title"] == "改过的标题"
    assert {k: v for k, v in after.items() if k != "title"} == {
        k: v for k, v in before.items() if k != "title"
    }
    assert submitted.events.count() == 1


def test_the_admin_change_page_links_the_steps_the_table_allows_and_shows_the_timeline(
    admin_client, submitted
):
    page = html(admin_client.get(f"{PROPOSALS}{submitted.pk}/change/"))

    assert f"{PROPOSALS}{submitted.pk}/step/accept/" in page
    assert f"{PROPOSALS}{submitted.pk}/step/decline/" in page
    assert f"{PROPOSALS}{submitted.pk}/step/submit/" not in page
    assert "2026-03-02 10:00 · Submitted" in page


def test_a_step_taken_in_admin_goes_through_the_lifecycle_and_is_audited(
    admin_client, administrator, submitted
):
    department = DepartmentFactory(name="区民政局")

    response = admin_client.post(
        f"{PROPOSALS}{submitted.pk}/step/accept/",
        {"seen_status": S.SUBMITTED, "lead_department": department.pk, "note": "立案"},
    )

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.status, submitted.lead_department) == (S.ACCEPTED, department)
    event = submitted.events.last()
    assert (event.step, event.actor, event.note) == (Step.ACCEPT, administrator, "立案")
    assert AuditEntry.objects.filter(target=f"proposal {submitted.pk}").exists()


def test_a_step_refused_in_admin_is_shown_as_a_message_and_changes_nothing(admin_client, draft):
    before = _row(draft)

    response = admin_client.post(
        f"{PROPOSALS}{draft.pk}/step/accept/", {"seen_status": S.DRAFT}, follow=True
    )

    assert "is not possible while the proposal is “Draft”" in html(response)
    assert _row(draft) == before
    assert not draft.events.exists()


def test_a_step_posted_from_a_stale_admin_page_is_refused(admin_client, submitted):
    before = _row(submitted)

    response = admin_client.post(
        f"{PROPOSALS}{submitted.pk}/step/submit/", {"seen_status": S.DRAFT}
    )

    assert "Someone else changed this proposal meanwhile" in html(response)
    assert _row(submitted) == before


def test_a_reply_class_d_is_refused_in_admin_next_to_the_field(admin_client, accepted):
    response = admin_client.post(
        f"{PROPOSALS}{accepted.pk}/step/reply/",
        {"seen_status": S.ACCEPTED, "reply": "已办", "reply_class": "D"},
    )

    assert "reply_class" in response.context["form"].errors
    assert _row(accepted)["reply"] == ""


def test_not_accepting_in_admin_without_a_reason_is_refused_next_to_the_field(
    admin_client, submitted
):
    response = admin_client.post(
        f"{PROPOSALS}{submitted.pk}/step/decline/", {"seen_status": S.SUBMITTED, "reason": ""}
    )

    assert "reason" in response.context["form"].errors
    assert _row(submitted)["status"] == S.SUBMITTED


def test_an_unknown_step_in_admin_is_not_found(admin_client, submitted):
    assert admin_client.get(f"{PROPOSALS}{submitted.pk}/step/approve/").status_code == 404
    assert admin_client.get(f"{PROPOSALS}{submitted.pk}/step/accept/").status_code == 200


def test_the_admin_step_page_is_not_for_workstation_staff(sign_in, staff, submitted):
    response = sign_in(staff).post(
        f"{PROPOSALS}{submitted.pk}/step/decline/", {"seen_status": S.SUBMITTED, "reason": "x"}
    )

    assert response.status_code in (302, 403)
    assert _row(submitted)["status"] == S.SUBMITTED


def test_the_admin_action_submits_the_drafts_and_reports_the_others(
    admin_client, draft, submitted, lead
):
    other = Proposal.objects.create(title="另一份草稿", lead=lead)

    response = admin_client.post(
        PROPOSALS,
        {"action": "submit_drafts", "_selected_action": [submitted.pk, other.pk]},
        follow=True,
    )

    assert _row(other)["status"] == S.SUBMITTED
    assert other.events.get().step == Step.SUBMIT
    assert submitted.events.count() == 1
    assert "is not possible while the proposal is “Submitted”" in html(response)


def test_the_admin_action_rates_accepted_proposals_excellent_through_the_lifecycle(
    admin_client, accepted, lead, administrator
):
    report = _report(lead, administrator)

    admin_client.post(
        PROPOSALS, {"action": "rate_excellent", "_selected_action": [accepted.pk, report.pk]}
    )

    assert _row(accepted)["is_excellent"] and not _row(report)["is_excellent"]
    assert accepted.events.last().step == Step.EXCELLENT


# --- the proposal page ----------------------------------------------------------------


def test_the_proposal_page_shows_its_timeline(sign_in, administrator, accepted):
    page = html(sign_in(administrator).get(f"/proposals/{accepted.pk}/"))

    timeline = page[page.index('id="proposal-timeline"') :]
    assert (
        timeline.index("Drafted")
        < timeline.index("Submitted")
        < timeline.index("Accepted for filing")
    )
    assert "2026-03-02 10:00" in timeline
