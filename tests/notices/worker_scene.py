"""Run by tests/notices/test_worker.py in a process of its own, against the database
DATABASE_URL names: `seed N` writes N messages and queues their delivery; `wait N`
returns once N are sent (in a few milliseconds: the test kills the worker then, mid
batch, however fast the machine); `report` prints what became of them, as JSON."""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db.models import Count, Max  # noqa: E402

from notices.models import Channel, ConsoleMessage, NoticeEvent, Notification  # noqa: E402
from notices.tasks import enqueue_delivery  # noqa: E402


def seed(count: int) -> None:
    for i in range(count):
        notification = Notification.objects.create(
            key=f"worker-test:{i}",
            event=NoticeEvent.DUTY_TOMORROW,
            channel=Channel.SMS,
            address=f"138{i:08d}",
            body=f"第{i}条",
        )
        enqueue_delivery(notification)  # outside a transaction: queued at once


def report() -> dict:
    by_status = dict(Notification.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return {
        "by_status": by_status,
        "outbox": ConsoleMessage.objects.count(),
        "outbox_distinct": ConsoleMessage.objects.values("notification").distinct().count(),
        "max_attempts": Notification.objects.aggregate(m=Max("attempts"))["m"],
    }


def wait(count: int, timeout: float = 120) -> None:
    print("watching", flush=True)
    deadline = time.monotonic() + timeout
    while ConsoleMessage.objects.count() < count:
        if time.monotonic() > deadline:
            sys.exit("the worker sent nothing")
        time.sleep(0.01)


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        seed(int(sys.argv[2]))
    elif sys.argv[1] == "wait":
        wait(int(sys.argv[2]))
    else:
        print(json.dumps(report()))
