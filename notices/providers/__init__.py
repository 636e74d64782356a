"""The real adapters behind the one channel interface of notices.channels: SMS through
Alibaba Cloud (aliyun) and Tencent Cloud (tencent) with their official SDKs, WeChat
template messages through the official-account HTTP API (wechat). Each `send` returns the
provider's message id or raises ChannelError, which the delivery retries.

The providers also push to us: delivery reports and the citizens' replies. Each SMS
module reads its provider's pushes into Reports and Replies (`reports`, `replies`), for
notices.receipts to act on; a malformed push raises BadPush."""

import string
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.utils import timezone

from ..channels import ChannelError
from ..models import MessageTemplate, Notification


class BadPush(ValueError):
    """A provider's push we cannot read: refused with a 400, nothing changed."""


@dataclass(frozen=True)
class Report:
    """A provider's word on one message: delivered to the phone, or not (and why)."""

    provider_message_id: str
    delivered: bool
    code: str
    at: datetime | None


@dataclass(frozen=True)
class Reply:
    """A text a citizen sent back to our SMS number."""

    phone: str
    text: str


def provider_template(notification: Notification) -> MessageTemplate:
    """The office's template the message was written from, with the code the provider
    approved it under (a provider sends approved templates only)."""
    template = MessageTemplate.objects.filter(
        event=notification.event, channel=notification.channel
    ).first()
    if template is None or not template.provider_template_code:
        raise ChannelError("the template has no provider's template code")
    return template


def ordered_params(template: MessageTemplate, params: dict) -> list[tuple[str, str]]:
    """The template's parameters with their values, in the order they first appear in
    the office's text (a Tencent template is positional: its {1}, {2}, … are these)."""
    names: list[str] = []
    for _literal, name, _spec, _conv in string.Formatter().parse(template.body):
        if name and name not in names:
            names.append(name)
    return [(name, str(params.get(name, ""))) for name in names]


def national_phone(phone: str) -> str:
    """A mainland mobile as we store it (13812345678), from +8613812345678 or 86…."""
    phone = phone.strip().replace(" ", "")
    for prefix in ("+86", "0086", "86"):
        if phone.startswith(prefix) and len(phone) - len(prefix) == 11:
            return phone[len(prefix) :]
    return phone


def endpoint(url: str) -> tuple[str, str]:
    """(scheme, host[:port]) of a provider's API address setting."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    return parts.scheme, parts.netloc


def provider_time(text) -> datetime | None:
    """A provider's "2026-06-15 12:00:03" (Beijing time), or None."""
    try:
        return timezone.make_aware(datetime.strptime(str(text), "%Y-%m-%d %H:%M:%S"))
    except ValueError:
        return None


def read_push(data, read_one, keep=lambda item: True) -> list:
    """A push's records (a JSON array of objects, or one object), each read by
    `read_one`; those `keep` refuses are left out. A record without a field it needs, or
    a push of anything else, is a BadPush."""
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(item, dict) for item in items):
        raise BadPush("not a list of records")
    try:
        return [read_one(item) for item in items if keep(item)]
    except KeyError as missing:
        raise BadPush(f"no {missing}") from None
