"""The citizen who agreed to it hears of their case by SMS: registered at the desk or
received online (with the lookup code, in that message only, kept nowhere once sent),
accepted or not taken up, referred (to the lead department), replied, resolved; never at
night (it waits for 08:00); never once they stopped it on /track/; never without
their consent. The phone number is never written into a message's key."""

import re
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
from visits.online import Submission, case_lookup, online_submit

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

    # The code that looks the case up, as on the printed receipt.
    code = re.search(r"查询码([A-Z0-9]+)", registered.body)[1]
    assert case_lookup(followed.number, code) == followed

    assert delivery.deliver(registered.pk) == NoticeStatus.SENT  # at noon: at once

    assert ConsoleMessage.objects.get().text == registered.body
    registered.refresh_from_db()  # sent: the code is kept nowhere any more
    assert code not in registered.body and code not in str(registered.params)
    assert registered.params["lookup_code"] == delivery.FORGOTTEN


def test_the_lookup_code_is_forgotten_when_the_message_will_never_go(consenting, staff, world):
    case = world.registered(consenting.workstation, title="路灯不亮")
    Visit.objects.filter(pk=case.visit_id).update(sms_consent=True)
    registered = Notification.objects.create(
        key="refused-code", event=NoticeEvent.CASE_REGISTERED, channel=Channel.SMS,
        address="12", case=case, body="查询码ABC123", params={"lookup_code": "ABC123"},
    )  # fmt: skip

    assert delivery.deliver(registered.pk) == NoticeStatus.REFUSED  # not a phone number

    registered.refresh_from_db()
    assert "ABC123" not in registered.body + str(registered.params)


def test_only_the_first_message_carries_the_lookup_code(
    noon, sign_in, staff, workstation, deadlines, world
):
    sign_in(staff).post("/visits/new/", visit_data(workstation, sms_consent="on"))
    followed = Case.objects.get(answered_on_spot=False)
    registered = sms(NoticeEvent.CASE_REGISTERED).get()
    code = registered.params["lookup_code"]

    lifecycle.case_refer(case=followed, actor=staff, department=world.lead_department)

    referred = sms(NoticeEvent.CASE_REFERRED).get()
    assert followed.number in referred.body and code not in referred.body
    assert "lookup_code" not in referred.params


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


def test_an_online_opinion_is_texted_when_received_then_accepted_or_rejected_with_why(
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

    receipt = submitted("13912345678")
    accepted = Case.objects.get(number=receipt.number)
    rejected = Case.objects.get(number=submitted("13912345679").number)
    received = sms(NoticeEvent.CASE_REGISTERED).get(address="13912345678")
    assert receipt.number in received.body and receipt.lookup_code in received.body
    assert sms(NoticeEvent.CASE_REGISTERED).count() == 2

    lifecycle.case_accept(case=accepted, actor=staff)
    lifecycle.case_reject(case=rejected, actor=staff, reason="不属于工作室受理范围")

    taken_up = sms(NoticeEvent.CASE_ACCEPTED).get()
    assert taken_up.address == "13912345678" and receipt.lookup_code not in taken_up.body
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
