"""Production settings pass Django's deployment checklist; bad settings fail loudly."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Drop what the test run itself sets (pytest-env), so production defaults apply.
    test_only = {
        "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "STATIC_MANIFEST",
        "FIELD_ENCRYPTION_KEY",
    }  # fmt: skip
    clean = {
        k: v for k, v in os.environ.items() if k not in test_only | {"DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def check_deploy(**env: str) -> subprocess.CompletedProcess:
    return run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="k3y-" + "x7Q9v" * 12,
        ALLOWED_HOSTS="workstations.example.gov.cn",
        **{"FIELD_ENCRYPTION_KEY": "f13ld-" + "r8Tn2" * 10, **env},
    )


def test_check_deploy_under_production_settings_reports_nothing():
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_administrators_need_no_second_factor():
    result = check_deploy(SECOND_FACTOR_FOR_ADMINISTRATORS="false")
    assert result.returncode != 0
    assert "accounts.W001" in result.stdout + result.stderr


def test_check_deploy_fails_without_the_key_of_the_encrypted_id_numbers():
    result = check_deploy(FIELD_ENCRYPTION_KEY="")
    assert result.returncode != 0
    assert "base.E001" in result.stdout + result.stderr


def test_production_without_a_secret_key_refuses_to_start():
    result = run_manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
