"""The real task worker in processes of its own, on a database of its own (SQLite, or
PostgreSQL when the suite runs there), on each task backend: the database's
(`manage.py db_worker`) and RQ on the Redis at 127.0.0.1:6379 (`manage.py rqworker`).
Killed with SIGKILL in the middle of a batch and started again, it sends every message
exactly once."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from notices.workers import WORKER_COMMAND

from ..processes import ROOT, environment, run

SCENE = Path(__file__).with_name("worker_scene.py")
MESSAGES = 300


# The worker's command on each backend: running until killed, and draining then stopping.
POLL_FAST = ("--interval", "0.05", "--no-startup-delay")
WORKERS = {
    "database": (
        [*WORKER_COMMAND["database"], *POLL_FAST],
        [*WORKER_COMMAND["database"], "--batch", *POLL_FAST],
    ),
    "rq": (list(WORKER_COMMAND["rq"]), [*WORKER_COMMAND["rq"], "--burst"]),
}


@pytest.fixture(params=sorted(WORKERS))
def backend(request):
    """The backend's settings for the worker's processes; RQ on a Redis database of its
    own."""
    if request.param == "database":
        return "database", {}
    return "rq", {"RQ_URL": request.getfixturevalue("redis_url")}


def report(env) -> dict:
    return json.loads(run(env, str(SCENE), "report").stdout)


def test_a_worker_killed_mid_batch_then_restarted_sends_every_message_once(database_url, backend):
    name, backend_env = backend
    env = environment(database_url, TASKS_BACKEND=name, **backend_env)
    keep_working, drain = WORKERS[name]
    run(env, "manage.py", "migrate", "--noinput", "-v", "0")
    run(env, str(SCENE), "seed", str(MESSAGES))

    # The watcher is set up before the worker starts: it sees the sixth of the batch sent at
    # once, not after a process's start-up, during which a fast worker could finish it.
    watcher = subprocess.Popen([sys.executable, str(SCENE), "wait", str(MESSAGES // 6)],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert watcher.stdout.readline() == "watching\n"
    worker = subprocess.Popen(
        [sys.executable, "manage.py", *keep_working],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        assert watcher.wait(timeout=150) == 0, "the worker sent nothing"
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    killed = report(env)
    assert killed["outbox"] < MESSAGES, "killed after the batch: nothing was interrupted"

    # The messages whose task the killed worker held are queued again, then all drained.
    run(env, "manage.py", "send_reminders", "--stale-minutes", "0")
    run(env, "manage.py", *drain)

    done = report(env)
    assert done["by_status"] == {"sent": MESSAGES}
    assert done["outbox"] == done["outbox_distinct"] == MESSAGES
    assert done["max_attempts"] == 1  # none was sent twice
