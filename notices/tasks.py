"""The background work of notifications, on Django's Tasks framework (the django-tasks
backport; the database backend by default, run by `manage.py db_worker`). A task carries
a message's id and nothing else."""

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from . import delivery
from .models import Notification


@task()
def deliver(notification_id: int) -> str:
    return delivery.deliver(notification_id)


def enqueue_delivery(notification: Notification) -> None:
    """Queue the message's delivery once the transaction that wrote it commits (not
    before its `send_after`); a rolled-back message is never sent."""
    pk, run_after = notification.pk, notification.send_after

    def enqueue():
        chosen = deliver.using(run_after=run_after) if run_after > timezone.now() else deliver
        chosen.enqueue(pk)
        Notification.objects.filter(pk=pk).update(enqueued_at=timezone.now())

    transaction.on_commit(enqueue)
