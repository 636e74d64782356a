"""The citizen who agreed to it hears of their case by SMS: registered (or accepted
online), not taken up, referred (to the lead department), replied, resolved; never at
night (it waits for 08:00); never once they stopped it on /track/; never without
their consent. The phone number is never written into a message's key."""

import uuid
from datetime import datetime

import pytest
from django.utils import timezone

from notices import delivery
from notices.models import Channel, ConsoleMessage, NoticeEvent, NoticeStatus, Notification
from notices.services import Recipient, not_before
from visits import lifecycle
from visits.lookup_codes import case_lookup_code_renew
from visits.models import Case, ReferralRole, Visit
from visits.online import Submission, online_submit

from ..pages import html
from ..posts import visit_data
from ..public.tracking import tracking
from ..stories import PHONE


def sms(event=None):
    chosen = Notification.objects.filter(channel=Channel.SMS, user=None)
    return chosen.filter(event=event) if event else chosen


@pytest.fixture
def consenting(world, workstation):
    """A case registered at the desk for a citizen who agreed to SMS."""
    case = world.registered(workstation, title="楼道堆物")
    Visit.objects.filter(pk=case.visit_id).update(sms_consent=True)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def noon(time_machine, calendar_2026):
    time_machine.move_to(timezone.make_aware(datetime(2026, 6, 15, 12, 0)), tick=False)


def test_the_desk_records_the_consent_and_the_registration_is_texted(
    noon, sign_in, staff, workstation, deadlines
):
    response = sign_in(staff).post("/visits/new/", visit_data(workstation, sms_consent="on"))

    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.sms_consent
    (registered,) = sms(NoticeEvent.CASE_REGISTERED)
    followed = Case.objects.get(visit=visit, answered_on_spot=False)
    assert registered.address == PHONE and registered.case == followed
    assert followed.number in registered.body and PHONE not in registered.key

    assert delivery.deliver(registered.pk) == NoticeStatus.SENT  # at noon: at once

    assert ConsoleMessage.objects.get().text == registered.body


def test_without_consent_nothing_is_texted(world, workstation, staff):
    case = world.referred(workstation)

    lifecycle.case_withdraw(case=case, actor=staff, note="撤回")

    assert not sms().exists()


def test_the_citizen_hears_of_the_lead_referral_the_reply_and_the_resolution(
    consenting, world, staff
):
    lifecycle.case_refer(case=consenting, actor=staff, department=world.lead_department)
    case = Case.objects.get(pk=consenting.pk)
    lifecycle.case_refer(
        case=case, actor=staff, department=world.co_department, role=ReferralRole.CO
    )
    lead = case.referrals.get(role=ReferralRole.LEAD)
    lifecycle.referral_reply(referral=lead, actor=staff, reply="已责成物业清理")
    lifecycle.case_resolve(case=Case.objects.get(pk=case.pk), actor=staff, note="已清理")

    (referred,) = sms(NoticeEvent.CASE_REFERRED)  # the lead's, not the co-handling one's
    assert world.lead_department.name in referred.body
    assert sms(NoticeEvent.CASE_REPLIED).count() == 1
    assert "/track/" in sms(NoticeEvent.CASE_RESOLVED).get().body


def test_an_online_opinion_is_texted_once_accepted_and_the_rejection_says_why(
    workstation, staff, deadlines, working_calendar
):
    def submitted(phone):
        return online_submit(
            Submission(
                workstation=workstation, name="赵秀芝", phone=phone, category="property",
                text="小区楼道堆满杂物，物业一直不管。", consent_to_publish=False,
                submission_id=uuid.uuid4(), sms_consent=True,
            )
        )  # fmt: skip

    accepted = Case.objects.get(number=submitted("13912345678").number)
    rejected = Case.objects.get(number=submitted("13912345679").number)
    assert not sms().exists()  # submitted: the receipt said all

    lifecycle.case_accept(case=accepted, actor=staff)
    lifecycle.case_reject(case=rejected, actor=staff, reason="不属于工作室受理范围")

    assert sms(NoticeEvent.CASE_REGISTERED).get().address == "13912345678"
    assert "不属于工作室受理范围" in sms(NoticeEvent.CASE_REJECTED).get().body


@pytest.mark.parametrize(
    ("hour", "waits_until"),
    [(12, None), (22, (2, 8)), (7, (1, 8)), (20, None), (21, (2, 8))],
)
def test_a_citizens_sms_never_goes_out_at_night(hour, waits_until):
    now = timezone.make_aware(datetime(2026, 6, 1, hour, 30))
    citizen = Recipient(address=PHONE, known_as="visit1")

    when = timezone.localtime(not_before(now, citizen, Channel.SMS))

    expected = (
        now
        if waits_until is None
        else timezone.make_aware(datetime(2026, 6, waits_until[0], waits_until[1], 0))
    )
    assert when == expected
    assert not_before(now, Recipient(address="a@b.cn", known_as="x"), Channel.EMAIL) == now


def test_stopped_on_track_a_queued_sms_is_not_sent(consenting, staff, world):
    code = case_lookup_code_renew(case=consenting)
    client = tracking(consenting.number, code)
    lifecycle.case_refer(case=consenting, actor=staff, department=world.lead_department)
    queued = sms(NoticeEvent.CASE_REFERRED).get()
    assert 'id="stop-sms"' in html(client.get("/track/"))

    assert client.post("/track/", {"stop_sms": "1"}).status_code == 302

    assert not Visit.objects.get(pk=consenting.visit_id).sms_consent
    Notification.objects.filter(pk=queued.pk).update(send_after=timezone.now())
    assert delivery.deliver(queued.pk) == NoticeStatus.REFUSED
    assert not ConsoleMessage.objects.exists()
    assert 'id="stop-sms"' not in html(client.get("/track/"))
