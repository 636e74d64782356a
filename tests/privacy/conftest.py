"""The cases the privacy tests anonymise: told in 2026 through the lifecycle, and looked
at from 15 June 2029, when three years (1,095 days) reach back to 16 June 2026."""

from dataclasses import dataclass

import pytest

from notices.models import Channel, NoticeEvent, Notification
from visits.models import Case, Visit

from ..factories import VisitFactory, open_case
from ..stories import answered, at

NAME, PHONE, ADDRESS = "王小明", "13812345678", "新城区西一路8号3单元"
ID_NUMBER = "11010519491231002X"
OTHER_PHONE = "13900001111"
NOW = at(6, 15, year=2029)


@dataclass
class Held:
    old_closed: Case
    recent_closed: Case
    old_open: Case
    # A visit of two cases: one ended long ago, one still open.
    half_open: Case


def visit_of(workstation, phone: str = PHONE) -> Visit:
    return VisitFactory(
        workstation=workstation,
        visitor_name=NAME,
        visitor_phone=phone,
        visitor_address=ADDRESS,
        visitor_id_number=ID_NUMBER,
        sms_consent=True,
        summary=f"来访人留电话 {phone}，反映楼道堆物",
    )


def message(case: Case, *, to: str = "", user=None) -> Notification:
    return Notification.objects.create(
        key=f"{case.number}-{to or user.pk}",
        event=NoticeEvent.CASE_RESOLVED,
        channel=Channel.INBOX if user else Channel.SMS,
        user=user,
        address=to,
        case=case,
        body=f"您的诉求{case.number}已办结",
    )


def answered_at(visit: Visit, when, actor) -> Case:
    return answered(
        note=f"已当场答复，回电 {visit.visitor_phone}",
        visit=visit,
        actor=actor,
        now=when,
        description=f"楼道堆物，联系电话 {visit.visitor_phone}",
    )


@pytest.fixture
def held(workstation, staff, calendar_2026, deadlines) -> Held:
    old_closed = answered_at(visit_of(workstation), at(3, 2), staff)
    message(old_closed, to=PHONE)
    message(old_closed, user=staff)
    recent_closed = answered_at(visit_of(workstation, OTHER_PHONE), at(12, 1), staff)
    message(recent_closed, to=OTHER_PHONE)
    old_open = open_case(visit=visit_of(workstation, OTHER_PHONE), actor=staff, now=at(3, 2))
    shared = visit_of(workstation)
    answered_at(shared, at(3, 3), staff)
    half_open = open_case(visit=shared, actor=staff, now=at(3, 3))
    return Held(old_closed, recent_closed, old_open, half_open)
