"""A step that needs words (a consultation, a resolution, a reason, a note, a reply) is
refused without them, empty or blank."""

import pytest

from visits import lifecycle
from visits.models import CaseStatus

from ...stories import (
    assert_refused,
)

S = CaseStatus


# --- refusals: missing text ---------------------------------------------------

MISSING_TEXT = [
    (
        "consult",
        "registered",
        lambda s, text: lifecycle.case_consult(case=s.case, actor=s.actor, note=text, now=s.now),
        "Describe the consultation",
    ),
    (
        "resolve",
        "consulting",
        lambda s, text: lifecycle.case_resolve(case=s.case, actor=s.actor, note=text, now=s.now),
        "Describe how the case was resolved",
    ),
    (
        "reject",
        "registered",
        lambda s, text: lifecycle.case_reject(case=s.case, actor=s.actor, reason=text, now=s.now),
        "Give the reason",
    ),
    (
        "note",
        "closed",
        lambda s, text: lifecycle.case_note(case=s.case, actor=s.actor, note=text, now=s.now),
        "The note is empty",
    ),
    (
        "lead-reply",
        "referred",
        lambda s, text: lifecycle.referral_reply(
            referral=s.lead, actor=s.actor, reply=text, now=s.now
        ),
        "Enter the department's reply",
    ),
    (
        "co-reply",
        "referred with co",
        lambda s, text: lifecycle.referral_reply(
            referral=s.co, actor=s.actor, reply=text, now=s.now
        ),
        "Enter the department's reply",
    ),
    (
        "return",
        "referred",
        lambda s, text: lifecycle.referral_return(
            referral=s.lead, actor=s.actor, reason=text, now=s.now
        ),
        "Enter the reason the department gave",
    ),
]


@pytest.mark.parametrize("text", ["", " \n\t "], ids=["empty", "blank"])
@pytest.mark.parametrize(
    ("situation", "attempt", "message"),
    [m[1:] for m in MISSING_TEXT],
    ids=[m[0] for m in MISSING_TEXT],
)
def test_a_step_that_needs_words_is_refused_without_them(story, situation, attempt, message, text):
    s = story(situation)

    assert_refused(lambda: attempt(s, text), message)
