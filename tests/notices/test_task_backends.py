"""A message's delivery is queued on whichever task backend the settings name: the
database's (rows for `db_worker`) or RQ's (jobs in the Redis at 127.0.0.1:6379 for
`rqworker`). Queued once the transaction commits, never for a rolled-back message;
a message due later waits in the backend until it is due; the task carries the id only."""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import django_rq
import pytest
import redis
from django.db import transaction
from django_tasks_db.models import DBTaskResult
from rq.registry import ScheduledJobRegistry

from notices.models import Channel, NoticeEvent, Notification
from notices.tasks import enqueue_delivery


def message(now, **fields) -> Notification:
    values = {
        "key": f"backend-test:{uuid.uuid4().hex}",
        "event": NoticeEvent.DUTY_TOMORROW,
        "channel": Channel.SMS,
        "address": "13812345678",
        "body": "明天值班",
        "send_after": now,
    }
    return Notification.objects.create(**values | fields)


class Database:
    def __init__(self, settings):
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def queued(self) -> list[tuple[list, object]]:
        """Each queued task's arguments, and when it may run (None: at once)."""
        return [
            (row.args_kwargs["args"], row.run_after if row.run_after.year < 9999 else None)
            for row in DBTaskResult.objects.order_by("enqueued_at")
        ]


class RQ:
    def __init__(self, settings):
        url = f"redis://127.0.0.1:6379/{uuid.uuid4().int % 14 + 1}"
        redis.Redis.from_url(url).flushdb()
        settings.RQ_QUEUES = {"default": {"URL": url}}
        settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
        self.queue = django_rq.get_queue("default")

    def queued(self) -> list[tuple[list, object]]:
        waiting = [(list(job.args), None) for job in self.queue.get_jobs()]
        registry = ScheduledJobRegistry(queue=self.queue)
        for job_id in registry.get_job_ids():
            job = self.queue.fetch_job(job_id)
            waiting.append((list(job.args), registry.get_scheduled_time(job)))
        return waiting

    def close(self):
        self.queue.connection.flushdb()


@pytest.fixture
def now(time_machine):
    moment = datetime(2026, 12, 1, 22, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    time_machine.move_to(moment, tick=False)
    return moment


@pytest.fixture(params=[Database, RQ], ids=["database", "rq"])
def backend(request, settings, transactional_db):
    chosen = request.param(settings)
    yield chosen
    getattr(chosen, "close", lambda: None)()


def test_a_delivery_is_queued_with_the_message_id_only_once_the_write_commits(backend, now):
    with transaction.atomic():
        sms = message(now)
        enqueue_delivery(sms)
        assert backend.queued() == []  # not before the commit

    assert backend.queued() == [([sms.pk], None)]
    sms.refresh_from_db()
    assert sms.enqueued_at is not None


def test_a_rolled_back_message_is_never_queued(backend, now):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_delivery(message(now))
        raise RuntimeError("the step failed")

    assert backend.queued() == []


def test_a_message_due_later_waits_in_the_backend_until_it_is_due(backend, now):
    morning = now + timedelta(hours=9)
    with transaction.atomic():
        sms = message(now, send_after=morning)
        enqueue_delivery(sms)

    ((args, run_after),) = backend.queued()
    assert args == [sms.pk] and abs(run_after - morning) < timedelta(seconds=1)
