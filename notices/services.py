"""Making messages: for an event, to each recipient on each of their channels, one
Notification (its key makes a second one for the same event, recipient and channel a
no-op), the text rendered from the office's template, the delivery queued on commit.
The in-app inbox needs no delivery: its message is there once written."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from .models import Channel, MessageTemplate, NoticeStatus, Notification, WechatFollower
from .tasks import enqueue_delivery


@dataclass(frozen=True)
class Recipient:
    user: object = None
    address: str = ""  # a phone or e-mail address, for one without a login
    # Who they are in the message's key, for one without a login (the address is not
    # written into keys): e.g. "visit12".
    known_as: str = ""

    @property
    def key(self) -> str:
        return f"u{self.user.pk}" if self.user is not None else self.known_as


# An SMS to a citizen waits for the morning rather than go out at night.
QUIET_HOURS = (21, 8)


def not_before(now, recipient: Recipient, channel: str):
    """When the message may go out: a citizen's SMS between 21:00 and 08:00 waits until
    08:00 (Beijing time); anything else at once."""
    if channel != Channel.SMS or recipient.user is not None:
        return now
    local = timezone.localtime(now)
    if QUIET_HOURS[1] <= local.hour < QUIET_HOURS[0]:
        return now
    morning = local.replace(hour=QUIET_HOURS[1], minute=0, second=0, microsecond=0)
    return morning if local.hour < QUIET_HOURS[1] else morning + timedelta(days=1)


def channels_for(user) -> list[str]:
    """A signed-in recipient's channels: the inbox always, e-mail when they have one,
    WeChat when they follow the office's account."""
    wechat = WechatFollower.objects.filter(user=user).exists()
    return [
        Channel.INBOX,
        *([Channel.EMAIL] if user.email else []),
        *([Channel.WECHAT] if wechat else []),
    ]


def _text(event: str, channel: str, params: dict) -> tuple[str, str, int | None]:
    template = MessageTemplate.objects.filter(event=event, channel=channel).first()
    if template is None and channel == Channel.EMAIL:
        # E-mail says what the inbox says unless the office wrote it otherwise.
        template = MessageTemplate.objects.filter(event=event, channel=Channel.INBOX).first()
    if template is None:
        return "", "", None
    subject, body = template.render(params)
    return subject, body, template.version


def notify(
    event: str,
    subject_key: str,
    recipients: list[Recipient],
    *,
    params: dict,
    case=None,
    link: str = "",
    channels=None,
) -> list[Notification]:
    """Write the event's messages (`subject_key` names what they are about, e.g. the
    referral's id) and queue their delivery; those written before are left as they are."""
    made = []
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        for recipient in recipients:
            for channel in channels or channels_for(recipient.user):
                subject, body, version = _text(event, channel, params)
                if version is None:
                    continue  # the office has no template for it: nothing to send
                notification = Notification(
                    key=f"{event}:{subject_key}:{recipient.key}:{channel}",
                    event=event,
                    channel=channel,
                    user=recipient.user,
                    address=recipient.address,
                    case=case,
                    link=link,
                    # What an SMS provider's template is sent with (notices.channels).
                    params=params,
                    subject=subject,
                    body=body,
                    template_version=version,
                    created_at=now,
                    send_after=not_before(now, recipient, channel),
                    # The inbox's message is delivered once it is written.
                    status=NoticeStatus.SENT if channel == Channel.INBOX else NoticeStatus.QUEUED,
                    sent_at=now if channel == Channel.INBOX else None,
                )
                try:
                    with transaction.atomic():
                        notification.save()
                except IntegrityError:
                    continue  # already written for this event, recipient and channel
                if channel != Channel.INBOX:
                    enqueue_delivery(notification)
                made.append(notification)
    return made
