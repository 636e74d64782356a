"""Who sees which messages. Role logic for this app lives here only: a signed-in user
sees their own inbox, nobody else's (another's message is a 404); the office sees every
message's record in admin, its recipient masked."""

from django.db.models import QuerySet

from audit.denials import not_found

from .models import Channel, Notification


def inbox_of(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, channel=Channel.INBOX)


def own_message(user, pk: int) -> Notification:
    message = inbox_of(user).filter(pk=pk).first()
    if message is None:
        raise not_found(Notification.objects.filter(pk=pk), f"notification {pk}")
    return message
