"""The loop's steps write their messages with them: a referral to the department's
liaisons, a supervision to the supervised, the office's decision on more time to the
department; each once per event, recipient and channel, in the office's language."""

import pytest
from django.core import mail

from notices import delivery
from notices.models import Channel, MessageTemplate, NoticeEvent, NoticeStatus, Notification
from visits import lifecycle
from visits.models import ReferralRole
from workdays.calendar import add_working_days

from ..factories import MemberFactory, UserFactory


@pytest.fixture
def referred(world, workstation, liaison):
    liaison.email = "liu@zjj.xincheng.gov.cn"
    liaison.save(update_fields=["email"])
    return world.referred(workstation, title="电梯停运三周")


@pytest.fixture
def lead(referred):
    return referred.referrals.get(role=ReferralRole.LEAD)


def test_a_referral_reaches_the_liaisons_inbox_and_their_email(
    referred, lead, liaison, django_capture_on_commit_callbacks
):
    inbox = Notification.objects.get(user=liaison, channel=Channel.INBOX)
    assert inbox.event == NoticeEvent.REFERRAL_SENT and inbox.status == NoticeStatus.SENT
    assert referred.number in inbox.subject and "电梯停运三周" in inbox.body
    assert inbox.link == f"/department/referrals/{lead.pk}/"
    email = Notification.objects.get(user=liaison, channel=Channel.EMAIL)
    assert email.status == NoticeStatus.QUEUED

    assert delivery.deliver(email.pk) == NoticeStatus.SENT

    (sent,) = mail.outbox
    assert sent.to == ["liu@zjj.xincheng.gov.cn"] and referred.number in sent.subject


def test_the_other_department_and_the_desk_hear_nothing_of_it(
    other_liaison, staff, liaison, referred
):
    # The co-handling department's liaison hears of their own referral, not of the lead's.
    theirs = Notification.objects.filter(user=other_liaison)
    assert theirs.count() == 1 and "区住建局" not in theirs.get().body
    assert not Notification.objects.filter(user=staff).exists()


def test_a_message_is_written_once_per_event_recipient_and_channel(lead, liaison):
    from notices.signals import referral_sent

    event = lead.events.get(kind="referred")
    referral_sent(event)
    referral_sent(event)

    assert Notification.objects.filter(user=liaison, event=NoticeEvent.REFERRAL_SENT).count() == 2
    assert set(Notification.objects.filter(user=liaison).values_list("channel", flat=True)) == {
        Channel.INBOX,
        Channel.EMAIL,
    }


def test_delivering_twice_sends_once(lead, liaison):
    email = Notification.objects.get(user=liaison, channel=Channel.EMAIL)

    delivery.deliver(email.pk)
    delivery.deliver(email.pk)

    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.attempts == 1


def test_a_supervision_reaches_the_supervised(lead, liaison, administrator, staff, world):
    lifecycle.supervision_open(
        case=lead.case,
        referral=lead,
        actor=administrator,
        level="priority",
        due_on=add_working_days(lead.sent_at.date(), 20),
        note="请说明原因",
    )

    message = Notification.objects.get(
        user=liaison, event=NoticeEvent.SUPERVISION_OPENED, channel=Channel.INBOX
    )
    assert "重点督办" in message.subject and "区住建局" in message.body
    assert not Notification.objects.filter(user=staff).exists()


def test_a_supervision_of_the_workstations_step_reaches_its_staff(
    world, workstation, administrator, staff, other_staff
):
    case = world.registered(workstation, title="楼道堆物")
    lifecycle.supervision_open(
        case=case,
        actor=administrator,
        level="general",
        due_on=add_working_days(case.created_at.date(), 10),
        note="请尽快处理",
    )

    assert Notification.objects.get(user=staff).link == f"/cases/{case.number}/"
    assert not Notification.objects.filter(user=other_staff).exists()


def test_the_offices_decision_on_more_time_reaches_the_department(lead, liaison, administrator):
    extension = lifecycle.extension_request(
        referral=lead, actor=liaison, due_on=add_working_days(lead.due_on, 5), reason="需现场勘察"
    )
    lifecycle.extension_decide(extension=extension, actor=administrator, grant=True)

    message = Notification.objects.get(
        user=liaison, event=NoticeEvent.EXTENSION_DECIDED, channel=Channel.INBOX
    )
    assert "已批准" in message.body


def test_without_a_template_nothing_is_written(world, workstation, liaison):
    MessageTemplate.objects.filter(event=NoticeEvent.REFERRAL_SENT).delete()

    world.referred(workstation)

    assert not Notification.objects.exists()


def test_a_member_given_a_case_hears_of_it_once(world, workstation, staff, member_user):
    from visits.models import Case

    member = member_user.member
    other = MemberFactory(name="王委员", home_workstation=workstation, user=UserFactory())
    case = world.registered(workstation, title="楼道堆物")
    lifecycle.case_assign(case=case, actor=staff, members=[member])
    lifecycle.case_assign(case=Case.objects.get(pk=case.pk), actor=staff, members=[member, other])

    told = Notification.objects.filter(event=NoticeEvent.CASE_ASSIGNED, channel=Channel.INBOX)
    assert sorted(told.values_list("user", flat=True)) == sorted([member_user.pk, other.user.pk])
    assert "李委员" in told.get(user=member_user).body
    assert told.get(user=member_user).link == f"/cases/{case.number}/"
