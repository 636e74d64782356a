"""The step a case expects now (`lifecycle.expected_action`): by its status, among the
steps a user may take; and the steps that end a case unresolved (`lifecycle.DESTRUCTIVE`).
Pure functions of the transition table: no database."""

import pytest

from visits import lifecycle
from visits.lifecycle import TERMINAL, TRANSITIONS, Action
from visits.models import CaseStatus

S = CaseStatus
A = Action


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (S.SUBMITTED, A.ACCEPT),  # 受理
        (S.REGISTERED, A.REFER),  # 转办
        (S.CONSULTING, A.REFER),
        (S.REFERRED, A.REPLY),  # the department's reply
        (S.REPLIED, A.RESOLVE),  # 办结
        (S.RESOLVED, A.CLOSE),  # 回访
        (S.CLOSED, None),
        (S.REJECTED, None),
        (S.MERGED, None),
        (S.WITHDRAWN, None),
    ],
)
def test_each_status_expects_its_step(status, expected):
    assert lifecycle.expected_action(status) == expected


@pytest.mark.parametrize(
    ("status", "offered", "expected"),
    [
        # A member may consult and add notes, not refer: consulting is their next step.
        (S.REGISTERED, {A.CONSULT, A.NOTE}, A.CONSULT),
        # A returned referral leaves no reply to record: refer it again.
        (S.REFERRED, {A.CONSULT, A.REFER, A.RETURN, A.WITHDRAW, A.NOTE}, A.REFER),
        (S.SUBMITTED, {A.NOTE, A.REJECT, A.MERGE, A.WITHDRAW}, None),
        (S.RESOLVED, {A.NOTE}, None),
        (S.REPLIED, set(), None),
    ],
)
def test_the_expected_step_is_one_the_user_is_offered(status, offered, expected):
    assert lifecycle.expected_action(status, offered) == expected


def test_no_destructive_step_is_ever_the_expected_one():
    for status in S.values:
        offered = [a for a, moves in TRANSITIONS.items() if status in moves]
        assert lifecycle.expected_action(status, offered) not in lifecycle.DESTRUCTIVE


@pytest.mark.parametrize("status", [s for s in S.values if s not in TERMINAL])
def test_every_step_expected_of_an_open_case_is_one_the_table_allows(status):
    for action in lifecycle.EXPECTED_STEPS[status]:
        assert status in TRANSITIONS[action], (status, action)


def test_the_destructive_steps_are_those_that_end_a_case_unresolved():
    ending = {
        action
        for action, moves in TRANSITIONS.items()
        if any(
            after in (S.REJECTED, S.MERGED, S.WITHDRAWN) and after != before
            for before, after in moves.items()
        )
    }
    assert lifecycle.DESTRUCTIVE == ending == {A.REJECT, A.MERGE, A.WITHDRAW}
