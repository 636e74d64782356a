"""Trigram indexes for the case search (number, title, description) on PostgreSQL.

ILIKE '%…%' can use a pg_trgm GIN index, which also works for Chinese text.
SQLite has no such index: the search still works there, by scanning.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXED = ("number", "title", "description")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in INDEXED:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS visits_case_{column}_trgm "
            f"ON visits_case USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in INDEXED:
        schema_editor.execute(f"DROP INDEX IF EXISTS visits_case_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("visits", "0002_referral_rounds_and_submission_ids")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
