"""The restore drill: a backup taken with `manage.py backup` (pg_dump's custom format on
PostgreSQL, SQLite's online backup API on SQLite) restores into a new database with
every case, event, referral, ledger entry, duty and user; a restore over a database that
holds tables, or of a file that is no backup, is refused and changes nothing."""

import json
import subprocess

import pytest

from .processes import environment, run

# What the drill looks for after the restore, each record whole.
KEPT = ["visits.case", "visits.caseevent", "visits.referral", "visits.casesearchtext",
        "points.pointentry", "rosters.dutyassignment", "auth.user"]  # fmt: skip


def records(env: dict) -> dict[str, list]:
    dumped = json.loads(run(env, "manage.py", "dumpdata", *KEPT, "--format", "json").stdout)
    by_model = {model: [] for model in KEPT}
    for record in dumped:
        by_model[record["model"]].append(record)
    return by_model


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return run(env, "manage.py", *args, check=False)


@pytest.fixture
def backed_up(new_database, tmp_path):
    """A demo database and its backup file."""
    source = environment(new_database())
    run(source, "manage.py", "migrate", "--noinput", "-v", "0")
    run(source, "manage.py", "seed_demo", "--cases", "8", "-v", "0")
    backup = tmp_path / "workstations.backup"
    done = run(source, "manage.py", "backup", str(backup))
    assert "Backed up" in done.stdout
    return source, backup


def test_a_backup_restores_into_a_new_database_with_every_record(backed_up, new_database):
    source, backup = backed_up
    target = environment(new_database())
    done = run(target, "manage.py", "restore", str(backup))
    assert "Restored" in done.stdout

    restored = records(target)
    assert restored == records(source)
    assert all(restored[model] for model in KEPT), "the demo left a kind of record empty"
    # The restored database is complete: no migration is missing from it.
    run(target, "manage.py", "migrate", "--check", "--noinput")


def test_a_restore_over_a_database_with_tables_is_refused_and_changes_nothing(backed_up):
    source, backup = backed_up
    before = records(source)
    refused = manage(source, "restore", str(backup))
    assert refused.returncode == 1
    assert "restore into a new, empty database" in refused.stderr
    assert records(source) == before


def test_a_file_that_is_no_backup_is_refused(new_database, tmp_path):
    target = environment(new_database())
    stray = tmp_path / "notes.txt"
    stray.write_text("不是备份文件")
    refused = manage(target, "restore", str(stray))
    assert refused.returncode == 1
    assert "is not a backup of a" in refused.stderr
    missing = manage(target, "restore", str(tmp_path / "absent.backup"))
    assert missing.returncode == 1
    assert "cannot be read" in missing.stderr


def test_a_damaged_backup_is_refused_and_the_database_stays_empty(backed_up, new_database):
    _source, backup = backed_up
    cut = backup.with_name("cut.backup")
    cut.write_bytes(backup.read_bytes()[: backup.stat().st_size // 3])
    target = environment(new_database())
    refused = manage(target, "restore", str(cut))
    assert refused.returncode == 1
    assert "CommandError" in refused.stderr
    assert "Traceback" not in refused.stderr
    shown = run(target, "manage.py", "showmigrations", "visits", check=False)
    assert "[X]" not in shown.stdout  # nothing was restored


def test_a_backup_never_overwrites_a_file(backed_up):
    source, backup = backed_up
    first = backup.read_bytes()
    refused = manage(source, "backup", str(backup))
    assert refused.returncode == 1
    assert "exists already" in refused.stderr
    assert backup.read_bytes() == first
    elsewhere = manage(source, "backup", str(backup.parent / "no-such-folder" / "x.backup"))
    assert elsewhere.returncode == 1
    assert "is not a directory" in elsewhere.stderr
