"""Queue many notifications and drain them with 1, 2 and 4 workers, on each task backend.

    python bench/notices.py                        # PostgreSQL database bench_notices
    python bench/notices.py --messages 20000 --workers 1 2 --backends database
    DATABASE_URL=sqlite:////tmp/n.sqlite3 python bench/notices.py

For each backend and number of workers: writes the messages (SMS to the console
backend, which keeps each in the outbox table, as the demo does), queues their
delivery through `notices.tasks.enqueue_delivery` as the product does, starts the
workers as production would (`db_worker`, or `rqworker` on the Redis at RQ_URL), and
times the drain. Meanwhile a signed-in staff member opens `/visits/new/` again and
again in this process (Django's test client: the server's time, no network), so the
page's time while the queue drains is measured beside its time on an idle queue.
Prints messages per second and the page's p50/p99. Loopback only; the database's
notifications and tasks are emptied before each run.
"""

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from notices.workers import WORKER_COMMAND  # noqa: E402

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_notices")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("RQ_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,testserver")
os.environ["SECURE_SSL_REDIRECT"] = "false"
os.environ["LOG_LEVEL"] = "WARNING"
os.environ["STATIC_MANIFEST"] = "false"
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"

WORKER = {
    "database": [*WORKER_COMMAND["database"], "--interval", "0.1"],
    "rq": list(WORKER_COMMAND["rq"]),
}


def setup() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not get_user_model().objects.filter(username="staff-xiyilu").exists():
        call_command("seed_demo", cases=20, verbosity=0)


def empty(backend: str) -> None:
    import redis
    from django_tasks_db.models import DBTaskResult

    from notices.models import Notification

    Notification.objects.all().delete()
    DBTaskResult.objects.all().delete()
    if backend == "rq":
        redis.Redis.from_url(os.environ["RQ_URL"]).flushdb()


def queue(count: int) -> float:
    """Write `count` messages and queue their delivery; the seconds it took."""
    from django.db import transaction

    from notices.models import Channel, NoticeEvent, Notification
    from notices.tasks import enqueue_delivery

    started = time.perf_counter()
    for first in range(0, count, 5000):
        with transaction.atomic():
            batch = Notification.objects.bulk_create(
                Notification(
                    key=f"bench:{i}",
                    event=NoticeEvent.DUTY_TOMORROW,
                    channel=Channel.SMS,
                    address=f"138{i:08d}",
                    body=f"【新城区政协】第{i}条",
                )
                for i in range(first, min(first + 5000, count))
            )
            for notification in batch:
                enqueue_delivery(notification)  # on commit, as the product queues
    seconds = time.perf_counter() - started
    from django.db import connection

    if connection.vendor == "postgresql":
        # What autovacuum does within a minute or so of a burst: without statistics the
        # worker's claim ignores its partial index and takes a quarter of a second.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE django_tasks_database_dbtaskresult, notices_notification")
    return seconds


def sent() -> int:
    from notices.models import NoticeStatus, Notification

    return Notification.objects.filter(status=NoticeStatus.SENT).count()


class PageTimer(threading.Thread):
    """Opens /visits/new/ as a workstation's staff member until stopped."""

    def __init__(self):
        super().__init__(daemon=True)
        self.times: list[float] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client

        client = Client()
        client.force_login(get_user_model().objects.get(username="staff-xiyilu"))
        client.get("/visits/new/")  # warm
        while not self.stopping.is_set():
            started = time.perf_counter()
            response = client.get("/visits/new/")
            assert response.status_code == 200, response.status_code
            self.times.append((time.perf_counter() - started) * 1000)
            time.sleep(0.05)
        connection.close()

    def figures(self) -> tuple[float, float]:
        ordered = sorted(self.times)
        return statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1]


def idle_page() -> tuple[float, float]:
    timer = PageTimer()
    timer.start()
    time.sleep(5)
    timer.stopping.set()
    timer.join()
    return timer.figures()


def drain(backend: str, workers: int, count: int) -> tuple[float, tuple[float, float]]:
    """Start the workers, wait until every message is sent; seconds, and the page's
    p50/p99 meanwhile."""
    env = {**os.environ, "TASKS_BACKEND": backend}
    timer = PageTimer()
    timer.start()
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", *WORKER[backend]],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(workers)
    ]
    try:
        while sent() < count:
            assert all(p.poll() is None for p in processes), "a worker stopped"
            time.sleep(0.5)
        seconds = time.perf_counter() - started
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait()
        timer.stopping.set()
        timer.join()
    return seconds, timer.figures()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--backends", nargs="+", default=["database", "rq"])
    args = parser.parse_args()
    setup()
    from django.db import connection

    print(f"database: {connection.vendor}; {args.messages:,} messages per run")
    p50, p99 = idle_page()
    print(f"/visits/new/ on an idle queue: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print("| backend | workers | queued in | drained in | messages/s | /visits/new/ p50 | p99 |")
    print("|---|---|---|---|---|---|---|")
    for backend in args.backends:
        os.environ["TASKS_BACKEND"] = backend
        from django.test.utils import override_settings

        from config.settings import TASK_BACKENDS

        chosen = {
            "TASKS": {"default": {"BACKEND": TASK_BACKENDS[backend]}},
            "RQ_QUEUES": {"default": {"URL": os.environ["RQ_URL"]}},
        }
        with override_settings(**chosen):
            for workers in args.workers:
                empty(backend)
                queued = queue(args.messages)
                seconds, (p50, p99) = drain(backend, workers, args.messages)
                print(
                    f"| {backend} | {workers} | {queued:.0f} s | {seconds:.0f} s "
                    f"| {args.messages / seconds:.0f} | {p50:.1f} ms | {p99:.1f} ms |",
                    flush=True,
                )
        empty(backend)


if __name__ == "__main__":
    main()
