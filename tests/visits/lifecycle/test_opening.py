"""Opening a case (`lifecycle.case_open`): registered by staff, submitted by a citizen, or
answered on the spot (closed at once, with the citizen's satisfaction and the answer); an
opening refused uses up no tracking number."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from visits import lifecycle
from visits.lifecycle import NEW, Action
from visits.models import Case, CaseStatus, EventKind, Satisfaction

from ...factories import VisitFactory, open_case
from ...stories import (
    START,
    answered,
    assert_refused,
    rows,
)

S = CaseStatus


# --- opening a case -----------------------------------------------------------


DUE_AFTER_OPENING = {S.SUBMITTED: date(2026, 3, 5), S.REGISTERED: date(2026, 3, 9)}


@pytest.mark.parametrize(
    ("action", "status", "kind"),
    [
        (Action.REGISTER, S.REGISTERED, EventKind.REGISTERED),
        (Action.SUBMIT, S.SUBMITTED, EventKind.SUBMITTED),
    ],
)
def test_opening_a_case_saves_it_with_a_number_and_its_first_event(
    actor, workstation, action, status, kind
):
    case = open_case(workstation=workstation, actor=actor, action=action, note="来电", now=START)

    case = Case.objects.get(pk=case.pk)
    assert case.status == status
    assert case.number == "XC-2026-000001"
    assert case.created_at == START
    # Opened on Monday 2 March: accepted within 3 working days, handled within 5.
    assert case.next_due_on == case.step_due_on == DUE_AFTER_OPENING[status]
    assert not case.answered_on_spot
    event = case.events.get()
    assert (event.kind, event.from_status, event.to_status) == (kind, NEW, status)
    assert (event.actor, event.at, event.note, event.referral) == (actor, START, "来电", None)


def test_a_citizen_submitting_online_is_recorded_without_an_actor(workstation):
    case = open_case(workstation=workstation, actor=None, action=Action.SUBMIT, now=START)

    assert case.events.get().actor is None


def test_answering_on_the_spot_closes_the_case_with_the_satisfaction_and_the_answer(
    actor, workstation
):
    case = answered(workstation=workstation, actor=actor, note="解释了物业费收取标准", now=START)

    case = Case.objects.get(pk=case.pk)
    assert case.status == S.CLOSED
    assert case.answered_on_spot
    assert case.satisfaction == Satisfaction.SATISFIED
    assert case.resolved_at == case.closed_at == START
    assert case.next_due_on is None
    event = case.events.get()
    assert (event.kind, event.from_status, event.to_status) == (EventKind.ANSWERED, NEW, S.CLOSED)
    assert (event.actor, event.note) == (actor, "解释了物业费收取标准")


@pytest.mark.parametrize("satisfaction", ["", "delighted"])
def test_answering_on_the_spot_without_a_known_satisfaction_is_refused(
    actor, workstation, satisfaction
):
    visit = VisitFactory(workstation=workstation)
    assert_refused(
        lambda: answered(
            visit=visit, actor=actor, satisfaction=satisfaction, note="解释了政策", now=START
        ),
        "how satisfied",
    )
    assert not Case.objects.exists()


def test_answering_on_the_spot_a_citizen_left_unsatisfied_is_refused(actor, workstation):
    # The issue must be registered as a case to follow, not closed on the spot.
    visit = VisitFactory(workstation=workstation)
    assert_refused(
        lambda: answered(
            visit=visit,
            actor=actor,
            satisfaction=Satisfaction.UNSATISFIED,
            note="解释了政策，居民不认可",
            now=START,
        ),
        "register the issue as a case to follow",
    )
    assert not Case.objects.exists()


@pytest.mark.parametrize("note", ["", "  \n "])
def test_answering_on_the_spot_without_writing_down_the_answer_is_refused(actor, workstation, note):
    visit = VisitFactory(workstation=workstation)
    assert_refused(
        lambda: answered(visit=visit, actor=actor, note=note, now=START),
        "Write down the answer",
    )
    assert not Case.objects.exists()


def test_opening_an_invalid_case_is_refused_and_uses_up_no_number(actor, workstation):
    visit = VisitFactory(workstation=workstation)
    before = rows()

    with pytest.raises(ValidationError) as refusal:
        open_case(visit=visit, actor=actor, title="", now=START)

    assert "title" in refusal.value.message_dict
    assert rows() == before
    assert open_case(visit=visit, actor=actor, now=START).number == "XC-2026-000001"


@pytest.mark.parametrize("action", [Action.REGISTER, Action.SUBMIT])
def test_opening_a_case_at_another_workstation_than_its_visit_is_refused_and_uses_up_no_number(
    actor, workstation, other_workstation, action
):
    visit = VisitFactory(workstation=workstation)
    case = Case(
        workstation=other_workstation, visit=visit, title="噪音", category=Case.Category.OTHER
    )
    before = rows()

    with pytest.raises(ValidationError) as refusal:
        lifecycle.case_open(case=case, actor=actor, action=action, now=START)

    assert refusal.value.message_dict == {
        "workstation": ["A case belongs to the workstation of the visit that raised it."]
    }
    assert rows() == before
    assert open_case(visit=visit, actor=actor, now=START).number == "XC-2026-000001"


def test_a_step_that_does_not_open_a_case_cannot_open_one(actor, workstation):
    visit = VisitFactory(workstation=workstation)
    case = Case(workstation=workstation, visit=visit, title="噪音", category=Case.Category.OTHER)

    with pytest.raises(ValueError, match="does not create a case"):
        lifecycle.case_open(case=case, actor=actor, action=Action.ACCEPT, now=START)

    assert not Case.objects.exists()


def test_a_case_already_saved_cannot_be_opened_again(actor, workstation):
    case = open_case(workstation=workstation, actor=actor, now=START)

    with pytest.raises(ValueError, match="unsaved"):
        lifecycle.case_open(case=case, actor=actor, now=START)

    assert case.events.count() == 1
