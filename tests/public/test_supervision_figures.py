"""The statistics count the district office's supervisions (督办) of the year: how many,
how many answered by their day, how many still waiting past it, and how many of their
cases were resolved after the supervision opened."""

from datetime import datetime

import pytest
from django.utils import timezone

from public import figures
from visits import lifecycle
from visits.models import Case, ReferralRole
from workdays.calendar import add_working_days


def at(month: int, day: int, year: int = 2026) -> datetime:
    return timezone.make_aware(datetime(year, month, day, 10, 0))


@pytest.fixture
def june(time_machine, calendar_2026):
    time_machine.move_to(at(6, 15), tick=False)


def supervise(actor, opened: datetime, *, referral=None, case=None):
    return lifecycle.supervision_open(
        case=case or referral.case,
        referral=referral,
        actor=actor,
        level="general",
        due_on=add_working_days(timezone.localdate(opened), 3),
        note="请尽快办理",
        now=opened,
    )


@pytest.fixture
def supervised(june, world, workstation, administrator, staff):
    """Four supervisions of 2026 and one of 2025, each telling its own figure."""

    def lead(title, when):
        case = world.referred(workstation, at=when, title=title)
        return case.referrals.get(role=ReferralRole.LEAD)

    in_time = supervise(administrator, at(5, 4), referral=lead("电梯停运", at(4, 1)))
    lifecycle.supervision_answer(
        supervision=in_time, actor=staff, answer="已督促修复", now=at(5, 5)
    )
    answered_late = supervise(administrator, at(5, 11), referral=lead("井盖缺失", at(4, 2)))
    lifecycle.supervision_answer(
        supervision=answered_late, actor=staff, answer="已补装", now=at(5, 29)
    )
    waiting = supervise(administrator, at(6, 1), case=world.registered(workstation, at=at(5, 1)))
    resolved = supervise(administrator, at(6, 2), referral=lead("噪音扰民", at(4, 3)))
    lifecycle.referral_reply(referral=resolved.referral, actor=staff, reply="已处理", now=at(6, 3))
    case = Case.objects.get(pk=resolved.case_id)
    lifecycle.case_resolve(case=case, actor=staff, note="已解决", now=at(6, 4))
    supervise(
        administrator, at(12, 1, 2025), case=world.registered(workstation, at=at(11, 3, 2025))
    )
    return in_time, answered_late, waiting, resolved


def test_the_years_supervisions_are_counted_by_what_became_of_them(supervised):
    done = figures.supervision(2026)

    assert (done.opened, done.answered_in_time, done.late, done.resolved_after) == (4, 1, 2, 1)
    assert done.answered_in_time_rate == pytest.approx(0.25)
    assert done.resolved_after_rate == pytest.approx(0.25)


def test_another_years_supervisions_are_left_out(supervised):
    done = figures.supervision(2025)

    assert (done.opened, done.answered_in_time, done.late, done.resolved_after) == (1, 0, 1, 0)


def test_a_year_without_supervision_has_no_rates(june, db):
    done = figures.supervision(2026)

    assert done.opened == 0 and done.answered_in_time_rate is None
