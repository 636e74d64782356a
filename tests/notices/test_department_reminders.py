"""The schedule's reminders to the departments and the desk: a referral due the next
working day, one overdue (once per due date), and the desk's daily digest of what is
overdue and supervised at its workstation."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from notices.models import Channel, NoticeEvent, Notification
from notices.reminders import send_reminders
from visits import lifecycle
from visits.models import Referral, ReferralRole
from workdays.calendar import add_working_days


@pytest.fixture
def lead(world, workstation, liaison):
    case = world.referred(workstation, title="电梯停运三周", co=False)
    return case.referrals.get(role=ReferralRole.LEAD)


def at_ten(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def of(event, user=None):
    chosen = Notification.objects.filter(event=event, channel=Channel.INBOX)
    return chosen.filter(user=user) if user else chosen


def test_the_day_before_the_signature_is_due_the_liaison_is_reminded_once(
    time_machine, lead, liaison, other_liaison
):
    # The signature is due the working day after this one.
    day_before = add_working_days(timezone.localdate(lead.sent_at), 1)
    time_machine.move_to(at_ten(day_before), tick=False)

    send_reminders()
    send_reminders()

    (reminder,) = of(NoticeEvent.REFERRAL_DUE_SOON)
    assert reminder.user == liaison and "签收" in reminder.body
    assert f"{lead.acknowledge_due_on:%Y-%m-%d}" in reminder.body
    assert not of(NoticeEvent.REFERRAL_DUE_SOON, other_liaison).exists()


def test_an_overdue_referral_is_told_once_per_due_date(time_machine, lead, liaison, staff):
    time_machine.move_to(at_ten(lead.acknowledge_due_on + timedelta(days=3)), tick=False)
    send_reminders()
    send_reminders()
    assert of(NoticeEvent.REFERRAL_OVERDUE, liaison).count() == 1

    # Signed for, its reply is due later: nothing overdue until that date passes.
    lifecycle.referral_acknowledge(referral=lead, actor=liaison)
    time_machine.move_to(at_ten(lead.due_on + timedelta(days=1)), tick=False)
    send_reminders()

    assert of(NoticeEvent.REFERRAL_OVERDUE, liaison).count() == 2
    latest = of(NoticeEvent.REFERRAL_OVERDUE, liaison).order_by("-pk").first()
    assert "答复" in latest.body and f"{lead.due_on:%Y-%m-%d}" in latest.body


def test_an_answered_referral_is_not_reminded(time_machine, lead, liaison):
    lifecycle.referral_reply(referral=lead, actor=liaison, reply="已修复")
    time_machine.move_to(at_ten(lead.due_on + timedelta(days=1)), tick=False)

    send_reminders()

    assert not Notification.objects.filter(
        event__in=(NoticeEvent.REFERRAL_OVERDUE, NoticeEvent.REFERRAL_DUE_SOON)
    ).exists()
    assert Referral.objects.get(pk=lead.pk).state == Referral.State.REPLIED


def test_the_desk_gets_a_daily_digest_of_its_own_workstation(
    time_machine, world, workstation, staff, other_staff
):
    case = world.registered(workstation, title="楼道堆物")
    time_machine.move_to(at_ten(case.step_due_on + timedelta(days=2)), tick=False)

    send_reminders()
    send_reminders()

    (digest,) = of(NoticeEvent.STAFF_DIGEST)
    assert digest.user == staff and "1件诉求已逾期" in digest.body
    assert not of(NoticeEvent.STAFF_DIGEST, other_staff).exists()


def test_on_mondays_the_office_gets_the_weeks_summary_once(
    time_machine, world, workstation, administrator, staff, lead
):
    monday = lead.acknowledge_due_on + timedelta(days=7 - lead.acknowledge_due_on.weekday())
    time_machine.move_to(at_ten(monday - timedelta(days=1)), tick=False)  # a Sunday
    send_reminders()
    assert not of(NoticeEvent.OFFICE_WEEKLY).exists()

    time_machine.move_to(at_ten(monday), tick=False)
    send_reminders()
    send_reminders()

    (summary,) = of(NoticeEvent.OFFICE_WEEKLY)
    assert summary.user == administrator and summary.link == "/office/supervision/"
    # The lead referral is late to be signed for; nothing is supervised.
    assert "部门逾期转办件1件" in summary.body and "待答复督办0件" in summary.body
    assert not of(NoticeEvent.OFFICE_WEEKLY, staff).exists()
