"""The messages sent to citizens about cases whose visits are anonymised
(visits.anonymising): removed with them, since each holds the citizen's phone and the
text they were sent (the lookup code's first message among them). The messages to
signed-in users (staff, members, liaisons) stay: they name no citizen. Inside the
caller's transaction."""

from django.db.models import QuerySet

from .models import Notification


def citizen_notifications(case_ids: list[int]) -> QuerySet[Notification]:
    """The cases' messages to citizens: those sent to an address, not to a user."""
    return Notification.objects.filter(case__in=case_ids, user__isnull=True)


def citizen_notifications_purge(case_ids: list[int]) -> int:
    """Delete the cases' messages to citizens (their console copies with them); how many."""
    return citizen_notifications(case_ids).delete()[1].get(Notification._meta.label, 0)
