"""Sending one message, once. The worker's task locks the message's row, sends it on its
channel and records the outcome in the same transaction: a message is sent at most once
(a second task for it finds it sent), a failure is retried with backoff and given up
after MAX_ATTEMPTS. A message due later (a retry, or a citizen's SMS at night) waits."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .channels import ChannelError, address_problem, backend
from .models import Channel, NoticeStatus, Notification, WechatFollower

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
SENDABLE = (NoticeStatus.QUEUED, NoticeStatus.FAILED)
# Parameters kept only until the message has gone (or will never go): the citizen's
# lookup code is sent once and kept nowhere after, like the receipt's.
SECRET_PARAMS = ("lookup_code",)
FORGOTTEN = "******"


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after each failed attempt."""
    return timedelta(minutes=2 ** (attempts - 1))


def recipient_address(notification: Notification) -> str:
    if notification.address:
        return notification.address
    user = notification.user
    if notification.channel == Channel.EMAIL:
        return user.email if user else ""
    if notification.channel == Channel.WECHAT and user is not None:
        follower = WechatFollower.objects.filter(user=user).first()
        return follower.openid if follower else ""
    return ""


def withdrawn(notification: Notification) -> str | None:
    """Why a message to a citizen may no longer go out: they stopped the SMS since (the
    consent is read again before each message)."""
    to_citizen = notification.user_id is None and notification.case_id is not None
    if to_citizen and not notification.case.visit.sms_consent:
        return "the citizen stopped the messages"
    return None


def forget_secrets(notification: Notification) -> None:
    for name in SECRET_PARAMS:
        value = notification.params.get(name)
        if value:
            notification.body = notification.body.replace(value, FORGOTTEN)
            notification.params[name] = FORGOTTEN


def deliver(pk: int) -> str:
    """Send the message with this id if it still waits and is due; its status after."""
    from .tasks import enqueue_delivery  # the task module imports this one

    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("user", "case__visit")
            .filter(pk=pk)
            .first()
        )
        if notification is None or notification.status not in SENDABLE:
            return notification.status if notification else "missing"
        now = timezone.now()
        if notification.send_after > now:
            enqueue_delivery(notification)
            return notification.status
        address = recipient_address(notification)
        problem = address_problem(notification.channel, address) or withdrawn(notification)
        if problem:
            notification.status, notification.last_error = NoticeStatus.REFUSED, problem
            forget_secrets(notification)
            notification.save(update_fields=["status", "last_error", "body", "params"])
            return notification.status
        notification.attempts += 1
        try:
            notification.provider_message_id = backend(notification.channel).send(
                notification, address, notification.subject, notification.body
            )
        except ChannelError as failed:
            notification.last_error = str(failed)[:300]
            if notification.attempts >= MAX_ATTEMPTS:
                notification.status = NoticeStatus.GIVEN_UP
                forget_secrets(notification)
            else:
                notification.status = NoticeStatus.FAILED
                notification.send_after = now + backoff(notification.attempts)
                enqueue_delivery(notification)
            # The id only: the address and the text stay out of the logs.
            logger.warning("notification %s failed (attempt %s)", pk, notification.attempts)
        else:
            notification.status, notification.sent_at = NoticeStatus.SENT, now
            forget_secrets(notification)
        notification.save()
        return notification.status
