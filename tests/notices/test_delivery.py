"""Delivering a message: once, to a valid address only, retried with backoff when the
provider fails, given up after a few attempts, never before it is due."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notices import delivery
from notices.channels import ChannelError
from notices.models import Channel, ConsoleMessage, NoticeEvent, NoticeStatus, Notification

from ..factories import UserFactory


def message(**fields) -> Notification:
    values = {
        "key": f"test:{Notification.objects.count()}",
        "event": NoticeEvent.DUTY_TOMORROW,
        "channel": Channel.SMS,
        "address": "13812345678",
        "body": "明天值班",
    }
    return Notification.objects.create(**values | fields)


class Failing:
    def send(self, *args):
        raise ChannelError("provider timed out")


@pytest.fixture
def failing_sms(settings):
    settings.NOTICE_BACKENDS = {**settings.NOTICE_BACKENDS, "sms": f"{__name__}.Failing"}


def test_a_message_goes_to_the_console_outbox_once(db):
    sms = message()

    assert delivery.deliver(sms.pk) == NoticeStatus.SENT
    assert delivery.deliver(sms.pk) == NoticeStatus.SENT

    (outbox,) = ConsoleMessage.objects.all()
    assert outbox.notification == sms and outbox.text == "明天值班"
    sms.refresh_from_db()
    assert sms.attempts == 1 and sms.provider_message_id == f"console-{outbox.pk}"


@pytest.mark.parametrize("channel,address", [("sms", "12"), ("sms", "电话号码"), ("email", "")])
def test_a_malformed_address_is_never_sent_to_and_the_record_says_why(db, channel, address):
    # An e-mail to a user without an address: the user's own, read when it is sent.
    user = UserFactory(email="") if not address else None
    sms = message(channel=channel, address=address, user=user)

    assert delivery.deliver(sms.pk) == NoticeStatus.REFUSED

    sms.refresh_from_db()
    assert sms.last_error and not ConsoleMessage.objects.exists()


def test_a_failing_provider_is_retried_with_backoff_then_given_up(
    db, failing_sms, django_capture_on_commit_callbacks
):
    sms = message()
    for attempt in range(1, delivery.MAX_ATTEMPTS + 1):
        sms.refresh_from_db()
        Notification.objects.filter(pk=sms.pk).update(send_after=timezone.now())
        before = timezone.now()

        status = delivery.deliver(sms.pk)

        sms.refresh_from_db()
        assert sms.attempts == attempt and sms.last_error == "provider timed out"
        if attempt < delivery.MAX_ATTEMPTS:
            assert status == NoticeStatus.FAILED
            assert sms.send_after >= before + delivery.backoff(attempt)
        else:
            assert status == NoticeStatus.GIVEN_UP
    assert not ConsoleMessage.objects.exists()


def test_a_message_not_yet_due_waits(db, django_capture_on_commit_callbacks):
    sms = message(send_after=timezone.now() + timedelta(hours=3))

    assert delivery.deliver(sms.pk) == NoticeStatus.QUEUED

    assert not ConsoleMessage.objects.exists()


def test_the_recipient_is_masked_where_it_is_listed(db):
    assert message().recipient_masked == "138****5678"
    assert message(channel=Channel.EMAIL, address="wang@example.cn").recipient_masked == (
        "w***@example.cn"
    )
