"""The messages given up or reported undelivered, for the admin index: the office sees what never reached its
recipient and why (the record's last error), and can reach them another way."""

from datetime import timedelta

from django import template
from django.utils import timezone

from notices.models import NoticeStatus, Notification

register = template.Library()

RECENT = timedelta(days=30)
UNDELIVERED = (NoticeStatus.GIVEN_UP, NoticeStatus.UNDELIVERED)


@register.simple_tag
def given_up_count() -> int:
    """Messages written in the last 30 days that never reached their recipient."""
    since = timezone.now() - RECENT
    return Notification.objects.filter(status__in=UNDELIVERED, created_at__gte=since).count()
