"""The product's own processes, started by tests that need more than one (workers,
servers, backups): their environment and how to run them."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def environment(database_url: str, **overrides: str) -> dict:
    """The suite's environment for a process of the product on `database_url`: settings as
    production reads them, not pytest's."""
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "false", "LOG_LEVEL": "WARNING"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env | overrides


def run(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """`python *args` in the project's directory; fails the test if it fails (`check`)."""
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, check=check, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
