"""What the providers tell us after a message went out. A delivery report marks the
message it names (by the provider's message id) delivered, or not delivered with the
provider's code; a report for a message not (or no longer) just sent changes nothing, so
a report pushed twice is harmless. A citizen's reply that is a stop keyword withdraws the
SMS consent of every visit with that phone (through the visits app) and refuses the SMS
still queued to it at once. The phone is never logged."""

import logging

from django.db import transaction
from django.utils import timezone

from visits.online import stop_messages_to

from .delivery import SENDABLE, forget_secrets
from .models import Channel, NoticeStatus, Notification
from .providers import Reply, Report, national_phone

logger = logging.getLogger(__name__)

# A reply that stops the messages, compared without case or spaces.
STOP_WORDS = frozenset({"退订", "TD", "T", "N", "取消"})


def is_stop(text: str) -> bool:
    return "".join(text.split()).upper() in STOP_WORDS


def notification_report(report: Report, *, now=None) -> Notification | None:
    """Record a delivery report on its message; the message, or None if none was just
    sent with that id."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .filter(
                channel=Channel.SMS,
                provider_message_id=report.provider_message_id,
                status=NoticeStatus.SENT,
            )
            .first()
        )
        if notification is None or not report.provider_message_id:
            return None
        if report.delivered:
            notification.status = NoticeStatus.DELIVERED
            notification.delivered_at = report.at or now or timezone.now()
            fields = ["status", "delivered_at"]
        else:
            notification.status = NoticeStatus.UNDELIVERED
            notification.last_error = f"provider: {report.code}"[:300]
            fields = ["status", "last_error"]
        notification.save(update_fields=fields)
        return notification


def citizen_reply(reply: Reply) -> bool:
    """Act on a citizen's reply: whether it stopped their messages."""
    if not is_stop(reply.text):
        return False
    phone = national_phone(reply.phone)
    with transaction.atomic():
        visits = stop_messages_to(phone)
        # One by one: a refused registration forgets its lookup code, as a sent one does.
        queued = Notification.objects.select_for_update().filter(
            channel=Channel.SMS, user=None, address=phone, status__in=SENDABLE
        )
        refused = 0
        for notification in queued:
            notification.status = NoticeStatus.REFUSED
            notification.last_error = "the citizen replied to stop"
            forget_secrets(notification)
            notification.save(update_fields=["status", "last_error", "body", "params"])
            refused += 1
    logger.info("a stop reply: %s visits stopped, %s messages refused", visits, refused)
    return True
