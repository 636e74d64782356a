"""The citizen's side of a case: online submission, lookup, additions, follow-up."""

import uuid

import pytest
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

from visits import lifecycle
from visits.lookup_codes import LOOKUP_ALPHABET, LOOKUP_LENGTH
from visits.models import Case, CaseEvent, EventKind, Referral, Satisfaction, Visit
from visits.online import (
    Submission,
    case_lookup,
    citizen_add,
    citizen_follow_up,
    online_submit,
    public_timeline,
)
from visits.services import DuplicateSubmission

from ..factories import DepartmentFactory, open_case
from ..public.tracking import resolved

pytestmark = pytest.mark.usefixtures("english")


def submission(workstation, **fields) -> Submission:
    values = {
        "workstation": workstation,
        "name": "王小明",
        "phone": "13812345678",
        "category": Case.Category.PROPERTY,
        "text": "小区物业不作为\n垃圾清运不及时，楼道堆物无人管。",
        "consent_to_publish": True,
        "submission_id": uuid.uuid4(),
    }
    values.update(fields)
    return Submission(**values)


def test_a_submission_makes_an_online_visit_and_a_submitted_case(workstation, working_calendar):
    receipt = online_submit(submission(workstation))

    case = Case.objects.get(number=receipt.number)
    assert case.status == Case.Status.SUBMITTED
    assert (case.title, case.category, case.workstation) == (
        "小区物业不作为",
        "property",
        workstation,
    )
    visit = case.visit
    assert (visit.channel, visit.visitor_name, visit.visitor_phone) == (
        Visit.Channel.ONLINE,
        "王小明",
        "13812345678",
    )
    assert visit.consent_to_publish and visit.privacy_consent_at is not None
    assert visit.created_by is None
    event = case.events.get()
    assert (event.kind, event.actor) == (EventKind.SUBMITTED, None)


def test_the_lookup_code_is_random_long_and_stored_only_as_a_hash(workstation, working_calendar):
    receipts = [online_submit(submission(workstation)) for _ in range(3)]

    codes = [r.lookup_code for r in receipts]
    assert len(set(codes)) == 3
    assert all(len(c) == LOOKUP_LENGTH and set(c) <= set(LOOKUP_ALPHABET) for c in codes)
    for receipt in receipts:
        stored = Case.objects.get(number=receipt.number).lookup_code
        assert receipt.lookup_code not in stored and receipt.number not in receipt.lookup_code
        assert check_password(receipt.lookup_code, stored)


def test_a_long_first_line_is_shortened_for_the_title(workstation, working_calendar):
    receipt = online_submit(submission(workstation, text="很长" * 40))

    title = Case.objects.get(number=receipt.number).title
    assert len(title) == 40 and title.endswith("…")


def test_the_same_submission_twice_creates_one_case(workstation, working_calendar):
    first = submission(workstation)
    online_submit(first)

    with pytest.raises(DuplicateSubmission):
        online_submit(first)

    assert Case.objects.count() == 1 and Visit.objects.count() == 1


def test_a_malformed_phone_is_refused_and_nothing_is_saved(workstation, working_calendar):
    with pytest.raises(ValidationError):
        online_submit(submission(workstation, phone="12ab"))

    assert not Case.objects.exists() and not Visit.objects.exists()


def test_lookup_needs_the_number_and_its_code(workstation, working_calendar):
    receipt = online_submit(submission(workstation))
    other = online_submit(submission(workstation))

    assert case_lookup(receipt.number, receipt.lookup_code).number == receipt.number
    assert case_lookup(f" {receipt.number.lower()} ", receipt.lookup_code.lower()) is not None
    assert case_lookup(receipt.number, other.lookup_code) is None
    assert case_lookup("2099-999999", receipt.lookup_code) is None
    assert case_lookup(receipt.number, "") is None


def test_a_case_given_no_lookup_code_cannot_be_looked_up_even_with_an_empty_code(
    workstation, working_calendar, staff
):
    case = open_case(workstation=workstation, actor=staff)

    assert case.lookup_code == ""
    assert case_lookup(case.number, "") is None


@pytest.fixture
def submitted(workstation, working_calendar):
    return Case.objects.get(number=online_submit(submission(workstation)).number)


def test_the_citizen_adds_information_while_the_case_is_open(submitted, staff):
    citizen_add(submitted, "补充：3号楼尤其严重。")
    lifecycle.case_accept(case=submitted, actor=staff)
    citizen_add(Case.objects.get(pk=submitted.pk), "又堆了新的杂物。")

    notes = CaseEvent.objects.filter(case=submitted, kind=EventKind.NOTE, actor=None)
    assert [n.note for n in notes] == ["补充：3号楼尤其严重。", "又堆了新的杂物。"]


def test_the_citizen_closes_a_resolved_case_with_their_satisfaction(submitted, staff):
    case = resolved(submitted.number, staff)

    citizen_follow_up(case, Satisfaction.SATISFIED, "很满意")

    case.refresh_from_db()
    assert (case.status, case.satisfaction) == (Case.Status.CLOSED, "satisfied")
    event = case.events.last()
    assert (event.kind, event.actor, event.note) == (EventKind.CLOSED, None, "很满意")


def test_an_unsatisfied_citizen_reopens_the_case(submitted, staff):
    case = resolved(submitted.number, staff)

    citizen_follow_up(case, Satisfaction.UNSATISFIED, "还是老样子")

    case.refresh_from_db()
    assert case.status == Case.Status.CONSULTING
    assert case.events.last().kind == EventKind.REOPENED


def test_the_citizen_cannot_follow_up_before_resolution_nor_add_after_closing(submitted, staff):
    with pytest.raises(lifecycle.CaseError, match="not possible while the case is"):
        citizen_follow_up(submitted, Satisfaction.SATISFIED)
    case = resolved(submitted.number, staff)
    citizen_follow_up(case, Satisfaction.SATISFIED)
    case.refresh_from_db()
    events = case.events.count()

    with pytest.raises(lifecycle.CaseError):
        citizen_add(case, "再补充一句")

    assert case.events.count() == events


def test_the_public_timeline_shows_steps_replies_and_outcome_but_no_internal_notes(
    submitted, staff
):
    lifecycle.case_accept(case=submitted, actor=staff, note="内部：已电话核实")
    submitted.refresh_from_db()
    lifecycle.case_note(case=submitted, actor=staff, note="内部备注：联系人张主任")
    citizen_add(Case.objects.get(pk=submitted.pk), "我补充的情况")
    department = DepartmentFactory(name="区住建局")
    case = Case.objects.get(pk=submitted.pk)
    lifecycle.case_refer(
        case=case, actor=staff, department=department, note="请核查物业合同（内部）"
    )
    lifecycle.referral_reply(
        referral=Referral.objects.get(case=case), actor=staff, reply="已约谈物业公司，限期整改。"
    )
    case = Case.objects.get(pk=case.pk)
    lifecycle.case_resolve(case=case, actor=staff, note="整改完成。")

    timeline = public_timeline(case)

    texts = " ".join(event.text for event in timeline)
    assert [e.label for e in timeline] == [
        "Submitted online",
        "Accepted",
        "Note",
        "Referred",
        "Department replied",
        "Resolved",
    ]
    assert "我补充的情况" in texts and "已约谈物业公司" in texts and "整改完成" in texts
    assert "内部" not in texts and "张主任" not in texts
    assert [e.by_citizen for e in timeline] == [False, False, True, False, False, False]
