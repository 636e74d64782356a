"""Fixtures for the staff page tests (views, exports, access): the working-day calendar,
a signed-in client speaking a chosen language, and cases brought to each status
through the lifecycle."""

from datetime import timedelta

import pytest
from django.utils import timezone

from visits import lifecycle
from visits.models import Case, ReferralRole, Satisfaction

from ..factories import DepartmentFactory, MemberFactory, VisitFactory, open_case

PHONE = "13812345678"
MASKED_PHONE = "138****5678"
NAME = "王小明"
MASKED_NAME = "王**"
ADDRESS = "新城区西一路8号"


@pytest.fixture
def deadlines(settings):
    settings.FOLLOW_UP_WORKING_DAYS = 5
    settings.REFERRAL_REPLY_WORKING_DAYS = 15


@pytest.fixture
def departments(db):
    return DepartmentFactory(name="区住建局"), DepartmentFactory(name="区消防救援大队")


def days_ago(days: int, hour: int = 10):
    moment = timezone.localtime() - timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


class World:
    """Cases brought to a status through the lifecycle, at a workstation, by its staff."""

    def __init__(self, actor, departments):
        self.actor = actor
        self.lead_department, self.co_department = departments

    def registered(self, workstation, *, at=None, members=(), **fields) -> Case:
        visit = VisitFactory(
            workstation=workstation, visitor_name=NAME, visitor_phone=PHONE, visitor_address=ADDRESS
        )
        case = open_case(visit=visit, actor=self.actor, now=at, **fields)
        if members:
            case.handling_members.set(members)
        return case

    def consulting(self, workstation, **kwargs) -> Case:
        case = self.registered(workstation, **kwargs)
        return lifecycle.case_consult(case=case, actor=self.actor, note="约物业和居民代表微协商")

    def referred(self, workstation, *, at=None, co=True, **kwargs) -> Case:
        """Referred to a lead (and a co-handling) department; overdue when `at` is long ago."""
        case = self.registered(workstation, at=at, **kwargs)
        sent = at + timedelta(hours=1) if at else None
        lifecycle.case_refer(
            case=case, actor=self.actor, department=self.lead_department, note="转住建局", now=sent
        )
        if co:
            lifecycle.case_refer(
                case=Case.objects.get(pk=case.pk),
                actor=self.actor,
                department=self.co_department,
                role=ReferralRole.CO,
                now=sent,
            )
        return Case.objects.get(pk=case.pk)

    def overdue(self, workstation, **kwargs) -> Case:
        return self.referred(workstation, at=days_ago(60), **kwargs)

    def replied(self, workstation, **kwargs) -> Case:
        case = self.referred(workstation, **kwargs)
        lead = case.referrals.get(role=ReferralRole.LEAD)
        lifecycle.referral_reply(referral=lead, actor=self.actor, reply="已约谈物业公司，限期整改")
        return Case.objects.get(pk=case.pk)

    def resolved(self, workstation, **kwargs) -> Case:
        case = self.replied(workstation, **kwargs)
        return lifecycle.case_resolve(case=case, actor=self.actor, note="物业已整改")

    def closed(self, workstation, **kwargs) -> Case:
        case = self.resolved(workstation, **kwargs)
        return lifecycle.case_follow_up(
            case=case, actor=self.actor, satisfaction=Satisfaction.SATISFIED
        )

    def submitted(self, workstation, **kwargs) -> Case:
        visit = VisitFactory(workstation=workstation, visitor_phone=PHONE)
        return open_case(visit=visit, action=lifecycle.Action.SUBMIT, **kwargs)

    def mixed(self, workstation, n: int, *, members=()) -> list[Case]:
        """n cases cycling through registered, consulting, overdue, replied and resolved,
        each with its events, referrals and handling members: what an N+1 would show on."""
        makers = [self.registered, self.consulting, self.overdue, self.replied, self.resolved]
        return [
            makers[i % len(makers)](workstation, title=f"第{i}号 小区物业", members=members)
            for i in range(n)
        ]


@pytest.fixture
def world(staff, departments, working_calendar, deadlines) -> World:
    return World(staff, departments)


@pytest.fixture
def other_member(other_workstation):
    return MemberFactory(name="胡委员", home_workstation=other_workstation)
