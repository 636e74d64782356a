"""Consistent backups of the database and their restore into a new one.

PostgreSQL: `pg_dump --format=custom` (one snapshot, however long the dump runs, while
the site keeps writing), restored with `pg_restore`. SQLite: its online backup API,
which copies a consistent state of the file while other connections write. A backup is
written beside its destination, flushed to disk and only then given its name, never
over an existing file: a file under a backup's name is always a whole one.
"""

import os
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.db import connections

POSTGRES_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """Refused or failed; nothing was changed."""


def _database(alias: str) -> dict:
    return connections[alias].settings_dict


def _is_postgres(alias: str) -> bool:
    return connections[alias].vendor == "postgresql"


def _pg_environment(database: dict) -> dict:
    env = {**os.environ, "PGDATABASE": database["NAME"]}
    for setting, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                              ("PASSWORD", "PGPASSWORD")):  # fmt: skip
        if database.get(setting):
            env[variable] = str(database[setting])
    if database.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = database["OPTIONS"]["sslmode"]
    return env


def _run(command: list[str], env: dict) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")
    return done.stdout


def back_up(destination: Path, alias: str = "default") -> int:
    """Write a backup of the database to `destination` (which must not exist); its size."""
    destination = Path(destination)
    if destination.exists():
        raise BackupError(f"{destination} exists already; choose a new file name.")
    if not destination.parent.is_dir():
        raise BackupError(f"{destination.parent} is not a directory.")
    database = _database(alias)
    if not _is_postgres(alias) and not Path(database["NAME"]).is_file():
        raise BackupError(f"There is no database at {database['NAME']}.")
    handle, partial = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.")
    os.close(handle)
    try:
        if _is_postgres(alias):
            _run(["pg_dump", "--no-password", "--format=custom", f"--file={partial}"],
                 _pg_environment(database))  # fmt: skip
        else:
            source = connections[alias]
            source.ensure_connection()
            copy = sqlite3.connect(partial)
            try:
                source.connection.backup(copy)
            finally:
                copy.close()
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        try:
            os.link(partial, destination)  # fails, unlike a rename, if the name was taken
        except FileExistsError as taken:
            raise BackupError(f"{destination} exists already; choose a new file name.") from taken
    finally:
        Path(partial).unlink(missing_ok=True)
    return destination.stat().st_size


def _check_backup(backup: Path, postgres: bool) -> None:
    try:
        with backup.open("rb") as file:
            magic = file.read(16)
    except OSError as error:
        raise BackupError(f"{backup} cannot be read: {error.strerror}.") from error
    engine = "PostgreSQL" if postgres else "SQLite"
    not_one = BackupError(f"{backup} is not a backup of a {engine} database of this project.")
    if not magic.startswith(POSTGRES_MAGIC if postgres else SQLITE_MAGIC):
        raise not_one
    if postgres:
        listing = _run(["pg_restore", "--list", str(backup)], dict(os.environ))
        if "TABLE DATA public django_migrations" not in listing:
            raise not_one
        return
    try:
        with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as copy:
            intact = copy.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master")}
        copy.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{backup} is damaged: {error}.") from error
    if not intact:
        raise BackupError(f"{backup} is damaged: its integrity check fails.")
    if "django_migrations" not in tables:
        raise not_one


def restore(backup: Path, alias: str = "default") -> None:
    """Restore `backup` into the database, which must be new: no tables at all."""
    backup = Path(backup)
    postgres = _is_postgres(alias)
    _check_backup(backup, postgres)
    connection = connections[alias]
    with connection.cursor() as cursor:
        if connection.introspection.table_names(cursor):
            raise BackupError(
                "The database holds tables already: restore into a new, empty database."
            )
    database = _database(alias)
    if postgres:
        connection.close()
        _run(
            ["pg_restore", "--no-password", "--exit-on-error", "--single-transaction",
             "--no-owner", "--no-privileges", "--no-comments", f"--dbname={database['NAME']}",
             str(backup)],
            _pg_environment(database),
        )  # fmt: skip
        return
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
