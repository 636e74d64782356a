"""The channels a message goes out on, behind one interface: `send(notification,
address, subject, body)` returns the provider's message id or raises ChannelError (the
delivery retries). Which backend serves a channel is a setting (NOTICE_BACKENDS): the
console backend by default, which keeps the message in the outbox table (ConsoleMessage),
in the transaction that marks it sent."""

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.module_loading import import_string

from workstations.validators import phone_validator

from .models import Channel, ConsoleMessage, Notification


class ChannelError(Exception):
    """The provider refused the message or did not answer: try again later."""


class ConsoleBackend:
    """Sends nothing: keeps the message in the outbox, for the demo and the tests."""

    def send(self, notification: Notification, address: str, subject: str, body: str) -> str:
        text = f"{subject}\n{body}" if subject else body
        message = ConsoleMessage.objects.create(
            notification=notification, channel=notification.channel, text=text
        )
        return f"console-{message.pk}"


class EmailBackend:
    """Django's e-mail backends (SMTP in production, the locmem outbox in tests)."""

    def send(self, notification: Notification, address: str, subject: str, body: str) -> str:
        try:
            mail.send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        except (OSError, mail.BadHeaderError) as failed:
            raise ChannelError(str(failed)) from failed
        return ""


def backend(channel: str):
    return import_string(settings.NOTICE_BACKENDS[channel])()


def address_problem(channel: str, address: str) -> str | None:
    """Why a message cannot go to this address (never sent to), or None."""
    if not address:
        return "no address"
    validator = {Channel.SMS: phone_validator, Channel.EMAIL: validate_email}.get(channel)
    if validator is None:
        return None
    try:
        validator(address)
    except ValidationError:
        return f"not a valid {channel} address"
    return None
