"""Deadlines in working days: a reply due fifteen working days after referral, a
follow-up five after resolving, the next deadline the earliest still awaited, counted from
the day in Xi'an, and refused when a year's calendar it needs has not been entered."""

from datetime import UTC, date, datetime

import pytest

from visits import lifecycle
from visits.models import Case, CaseStatus, Referral, ReferralRole

from ...factories import DepartmentFactory
from ...stories import (
    CO_DUE,
    OPEN_STATES,
    START,
    TERMINAL_STATUSES,
    answered,
    assert_refused,
    at,
    expected_deadline,
    expected_step_due,
    refer,
)

S = CaseStatus


# --- deadlines ------------------------------------------------------------------


def test_a_reply_is_due_fifteen_working_days_after_referral_by_default(story):
    # Referred on Wednesday 11 February 2026: the Spring Festival (15–23 February) is
    # off, Saturdays 14 and 28 February are make-up working days.
    s = story("registered")

    referral = refer(s, now=at(2, 11))

    assert referral.due_on == date(2026, 3, 10)
    # Signed for (签收) within two working days: Thursday 12 and Friday 13 February.
    assert referral.acknowledge_due_on == date(2026, 2, 13)
    assert Case.objects.get(pk=s.case.pk).next_due_on == date(2026, 2, 13)

    lifecycle.referral_acknowledge(referral=referral, actor=s.actor, now=at(2, 12))

    assert Case.objects.get(pk=s.case.pk).next_due_on == date(2026, 3, 10)


def test_the_next_deadline_is_the_earliest_reply_still_awaited(story):
    s = story("registered")
    lead = refer(s, due_on=date(2026, 4, 10))
    lifecycle.referral_acknowledge(referral=lead, actor=s.actor, now=s.tick())

    def deadline_now():
        return Case.objects.get(pk=s.case.pk).next_due_on

    assert deadline_now() == date(2026, 4, 10)
    co = lifecycle.case_refer(
        case=Case.objects.get(pk=s.case.pk),
        actor=s.actor,
        department=DepartmentFactory(),
        role=ReferralRole.CO,
        due_on=date(2026, 4, 3),
        now=s.tick(),
    )
    assert deadline_now() == co.acknowledge_due_on < date(2026, 4, 3)
    lifecycle.referral_acknowledge(
        referral=Referral.objects.get(pk=co.pk), actor=s.actor, now=s.tick()
    )
    assert deadline_now() == date(2026, 4, 3)
    lifecycle.referral_reply(
        referral=Referral.objects.get(pk=co.pk), actor=s.actor, reply="已办", now=s.tick()
    )
    assert deadline_now() == date(2026, 4, 10)
    lifecycle.referral_return(
        referral=Referral.objects.get(pk=lead.pk),
        actor=s.actor,
        reason="不属本局职责",
        now=s.tick(),
    )
    # No department holds the case any more: it is due to be handled again.
    case = Case.objects.get(pk=s.case.pk)
    assert case.step_due_on is not None
    assert deadline_now() == case.step_due_on == expected_deadline(case)


def test_the_follow_up_is_due_five_working_days_after_resolving(story):
    # Resolved on Tuesday 29 September 2026: 30 September, then National Day (1–7 October)
    # is off, 8, 9, Saturday 10 (a make-up working day) and Monday 12 October.
    s = story("consulting")

    lifecycle.case_resolve(case=s.case, actor=s.actor, note="已解决", now=at(9, 29, 10))

    assert Case.objects.get(pk=s.case.pk).next_due_on == date(2026, 10, 12)


def test_the_follow_up_is_counted_from_the_day_in_xian(story):
    s = story("consulting")
    # 16:30 UTC on 29 September is 00:30 on 30 September in Xi'an.
    resolved_at = datetime(2026, 9, 29, 16, 30, tzinfo=UTC)

    lifecycle.case_resolve(case=s.case, actor=s.actor, note="已解决", now=resolved_at)

    assert Case.objects.get(pk=s.case.pk).next_due_on == date(2026, 10, 13)


def test_a_resolved_case_is_due_at_the_earlier_of_an_awaited_reply_and_the_follow_up(story):
    s = story("replied with co")  # the co-handling reply is due 27 March
    co = lifecycle.referral_acknowledge(referral=s.co, actor=s.actor, now=at(3, 23))

    lifecycle.case_resolve(case=s.case, actor=s.actor, note="已解决", now=at(3, 24))
    assert Case.objects.get(pk=s.case.pk).next_due_on == CO_DUE

    lifecycle.referral_reply(referral=co, actor=s.actor, reply="已配合", now=at(3, 25))
    # Resolved Tuesday 24 March: 25, 26, 27, 30, 31 March.
    assert Case.objects.get(pk=s.case.pk).next_due_on == date(2026, 3, 31)


@pytest.mark.parametrize("situation", ["closed", "withdrawn while referred"])
def test_closing_or_withdrawing_clears_the_deadline(story, situation):
    case = story(situation).case

    assert case.step_due_on is None and case.next_due_on is None


def test_reopening_starts_a_consultation_clock_and_keeps_awaited_replies(story):
    case = Case.objects.get(pk=story("reopened with co").case.pk)

    assert case.status == S.CONSULTING
    assert case.step_due_on == expected_step_due(case)
    assert case.next_due_on == expected_deadline(case)
    assert case.referrals.filter(due_on=CO_DUE, state__in=OPEN_STATES).exists()


def test_resolving_when_the_follow_up_falls_in_a_year_without_a_calendar_sets_no_date(story):
    # Resolved Monday 28 December 2026: the fourth working day after it is in 2027, whose
    # calendar is not entered. The case is resolved; its follow-up date is never guessed.
    s = story("consulting")

    lifecycle.case_resolve(case=s.case, actor=s.actor, note="已解决", now=at(12, 28))

    case = Case.objects.get(pk=s.case.pk)
    assert case.status == S.RESOLVED
    assert case.step_due_on is None and case.next_due_on is None


def test_referring_when_the_default_due_date_falls_in_a_year_without_a_calendar_is_refused(story):
    # Referred Monday 21 December 2026: only eight working days are left in 2026.
    s = story("consulting")
    department = DepartmentFactory()

    assert_refused(
        lambda: refer(s, department, now=at(12, 21)),
        "calendar for 2027 has not been entered",
    )


def test_referring_with_a_due_date_needs_no_calendar_for_the_next_year(story):
    s = story("consulting")

    referral = refer(s, due_on=date(2026, 12, 31), now=at(12, 21))

    assert referral.due_on == date(2026, 12, 31)
    assert Case.objects.get(pk=s.case.pk).next_due_on == referral.acknowledge_due_on
    assert referral.acknowledge_due_on == date(2026, 12, 23)


def test_a_note_on_a_case_answered_in_a_year_without_a_calendar_needs_no_calendar(
    actor, workstation
):
    # Answered on the spot before the 2025 calendar was entered: a closed case has no
    # deadline left, so a later note must not count one.
    case = answered(
        workstation=workstation, actor=actor, note="当场答复", now=at(12, 30, year=2025)
    )

    lifecycle.case_note(case=case, actor=actor, note="补充记录", now=START)

    assert Case.objects.get(pk=case.pk).next_due_on is None
    assert case.events.count() == 2


def test_the_deadline_rule_takes_the_earliest_of_the_step_and_the_referrals_until_over():
    dues = [date(2026, 4, 10), date(2026, 4, 3)]
    step = date(2026, 4, 1)

    assert lifecycle.deadline(S.RESOLVED, dues, step) == date(2026, 4, 1)
    assert lifecycle.deadline(S.RESOLVED, dues, None) == date(2026, 4, 3)
    assert lifecycle.deadline(S.CONSULTING, [], step) == date(2026, 4, 1)
    assert lifecycle.deadline(S.CONSULTING, [], None) is None
    for status in TERMINAL_STATUSES:
        assert lifecycle.deadline(status, dues, step) is None
