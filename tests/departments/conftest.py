"""The departments' record: a month of referrals, each handled its own way. (The
departments' liaisons are in the root conftest.)"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from visits import lifecycle
from visits.models import Case, Referral, ReferralRole, Satisfaction

from ..factories import open_case

# --- the departments' record: a month of referrals, each handled its own way -----------

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH = {"start": "2026-03-01", "end": "2026-03-31"}
TODAY = date(2026, 4, 15)


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SHANGHAI)


@dataclass
class RecordScene:
    """March 2026 at this workstation, as of 15 April. 区住建局 (housing) received, each
    due to answer by 20 March and to sign for within two working days:
    A (lead) signed for on time, replied on time, resolved, citizen satisfied;
    B (lead) signed for late, more time granted to 27 March, never answered, supervised
    on 1 April and answered late (a supervision of B's case itself, the workstation's,
    is not the department's);
    C (lead) sent back unsigned the day after;
    D (lead) signed for on time, more time refused, supervised on 23 March and answered
    in time, replied late on 25 March;
    E (co-handling, the lead is 区消防救援大队) never signed for nor answered;
    F (lead) sent on 2 April: outside March.
    区消防救援大队 (fire) received E's lead referral, never signed for."""

    housing: object
    fire: object
    a: Referral
    b: Referral
    c: Referral
    d: Referral
    e: Referral
    fire_lead: Referral
    f: Referral


def _refer(
    case, department, when, *, actor, role=ReferralRole.LEAD, due_on=date(2026, 3, 20)
) -> Referral:
    return lifecycle.case_refer(
        case=Case.objects.get(pk=case.pk),
        actor=actor,
        department=department,
        role=role,
        due_on=due_on,
        now=when,
    )


def _fresh(referral: Referral) -> Referral:
    return Referral.objects.get(pk=referral.pk)


@pytest.fixture
def record_scene(
    staff, administrator, workstation, departments, calendar_2026, deadlines, liaison
) -> RecordScene:
    housing, fire = departments

    def case_sent(title, when, department=housing, **due):
        case = open_case(workstation=workstation, actor=staff, title=title, now=when)
        return _refer(case, department, when + timedelta(hours=1), actor=staff, **due)

    a = case_sent("电梯停运", at(3, 2))
    lifecycle.referral_acknowledge(referral=a, actor=liaison, now=at(3, 3))
    lifecycle.referral_reply(referral=_fresh(a), actor=liaison, reply="已修复", now=at(3, 10))
    lifecycle.case_resolve(case=Case.objects.get(pk=a.case_id), actor=staff,
                           note="已办结", now=at(3, 11))  # fmt: skip
    lifecycle.case_follow_up(case=Case.objects.get(pk=a.case_id), actor=staff,
                             satisfaction=Satisfaction.SATISFIED, now=at(3, 12))  # fmt: skip

    b = case_sent("路灯不亮", at(3, 2))
    lifecycle.referral_acknowledge(referral=b, actor=liaison, now=at(3, 9))
    asked = lifecycle.extension_request(referral=_fresh(b), actor=liaison,
                                        due_on=date(2026, 3, 27), reason="需现场勘察",
                                        now=at(3, 10))  # fmt: skip
    lifecycle.extension_decide(extension=asked, actor=administrator, grant=True, now=at(3, 11))
    late = lifecycle.supervision_open(case=b.case, referral=_fresh(b), actor=administrator,
                                      level="priority", due_on=date(2026, 4, 3),
                                      note="请尽快答复", now=at(4, 1))  # fmt: skip
    lifecycle.supervision_answer(supervision=late, actor=liaison, answer="本周内答复",
                                 now=at(4, 7))  # fmt: skip
    lifecycle.supervision_open(case=Case.objects.get(pk=b.case_id), actor=administrator,
                               level="general", due_on=date(2026, 4, 3),
                               note="工作室请跟进", now=at(4, 1))  # fmt: skip

    c = case_sent("噪音扰民", at(3, 3))
    lifecycle.referral_return(referral=c, actor=liaison, reason="不属于本部门职责",
                              now=at(3, 4))  # fmt: skip

    d = case_sent("占道经营", at(3, 5))
    lifecycle.referral_acknowledge(referral=d, actor=liaison, now=at(3, 6))
    asked = lifecycle.extension_request(referral=_fresh(d), actor=liaison,
                                        due_on=date(2026, 3, 31), reason="材料较多",
                                        now=at(3, 12))  # fmt: skip
    lifecycle.extension_decide(extension=asked, actor=administrator, grant=False, now=at(3, 13))
    in_time = lifecycle.supervision_open(case=d.case, referral=_fresh(d), actor=administrator,
                                         level="general", due_on=date(2026, 3, 24),
                                         note="已逾期", now=at(3, 23))  # fmt: skip
    lifecycle.supervision_answer(supervision=in_time, actor=liaison, answer="明日答复",
                                 now=at(3, 24))  # fmt: skip
    lifecycle.referral_reply(referral=_fresh(d), actor=liaison, reply="已清理", now=at(3, 25))

    fire_lead = case_sent("消防通道堵塞", at(3, 6), department=fire)
    e = _refer(fire_lead.case, housing, at(3, 6, 14), actor=staff, role=ReferralRole.CO)

    f = case_sent("垃圾清运", at(4, 2), due_on=date(2026, 4, 20))
    return RecordScene(housing, fire, *map(_fresh, (a, b, c, d, e, fire_lead, f)))
