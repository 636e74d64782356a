"""The production layout in deploy/ runs what the project has: every systemd unit's
command is one of manage.py's, the worker's is the one production runs on each backend
(notices.workers), and the web server's worker count comes from the cores."""

import re
import shlex

import pytest
from django.core.management import get_commands

from notices.workers import WORKER_COMMAND

from .processes import ROOT

UNITS = sorted((ROOT / "deploy").glob("*.service"))


def commands_of(unit, *, commented: bool = True) -> list[list[str]]:
    """Each ExecStart of the unit as arguments; with the commented alternatives."""
    pattern = r"^#? ?ExecStart=(.+)$" if commented else r"^ExecStart=(.+)$"
    return [shlex.split(line) for line in re.findall(pattern, unit.read_text(), re.M)]


def manage_py_arguments(command: list[str]) -> list[str] | None:
    if command[:2] == ["/bin/sh", "-c"]:
        command = shlex.split(command[2].removeprefix("exec "))
    return command[command.index("manage.py") + 1 :] if "manage.py" in command else None


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_every_unit_runs_a_command_the_project_has(unit):
    # The commented alternatives need settings of their own (RQ's worker): the next test.
    commands = commands_of(unit, commented=False)
    assert commands, "a unit with nothing to run"
    for command in commands:
        arguments = manage_py_arguments(command)
        if arguments is None and command[0] == "/bin/sh":
            continue  # a shell step (the backups' retention)
        if arguments is None:
            assert command[0].endswith("/gunicorn")
            assert command[command.index("--config") + 1] == "config/gunicorn.py"
        else:
            assert arguments[0] in get_commands()


def test_the_worker_unit_runs_the_workers_command_of_each_backend():
    run = [manage_py_arguments(c) for c in commands_of(ROOT / "deploy/xincheng-worker.service")]
    assert run == [list(WORKER_COMMAND["database"]), list(WORKER_COMMAND["rq"])]


def test_each_timer_has_its_service():
    for timer in (ROOT / "deploy").glob("*.timer"):
        assert timer.with_suffix(".service").exists(), timer.name


def test_the_web_servers_workers_come_from_the_cores(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: set(range(2)))
    assert run_gunicorn_config()["workers"] == 5
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: set(range(64)))
    assert run_gunicorn_config()["workers"] == 17
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert run_gunicorn_config()["workers"] == 3


def run_gunicorn_config() -> dict:
    namespace = {"__file__": str(ROOT / "config/gunicorn.py")}
    exec(compile((ROOT / "config/gunicorn.py").read_text(), "gunicorn.py", "exec"), namespace)
    return namespace
