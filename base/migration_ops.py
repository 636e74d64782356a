"""Migration operations for tables that are large in production.

From the first deployment on, an index on a large table is built without blocking
writes: `CREATE INDEX CONCURRENTLY` on PostgreSQL, in a migration with
`atomic = False`. SQLite, the embedded default, has no such thing and no concurrent
writers to block; there the index is built the ordinary way.
"""

from django.contrib.postgres.operations import AddIndexConcurrently as PostgresAddIndexConcurrently
from django.contrib.postgres.operations import (
    RemoveIndexConcurrently as PostgresRemoveIndexConcurrently,
)
from django.db.migrations import AddIndex, Migration, RemoveIndex
from django.db.migrations.operations.base import Operation

# The tables that hold a row per visit, case, event or fact: millions in a few years.
LARGE_TABLES = {
    ("visits", "visit"),
    ("visits", "case"),
    ("visits", "caseevent"),
    ("visits", "referral"),
    ("points", "pointentry"),
    ("audit", "auditentry"),
    ("rosters", "dutyassignment"),
}


class _OrdinaryOffPostgres:
    """The concurrent operation on PostgreSQL, the ordinary one elsewhere."""

    ordinary: type[Operation]

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return self.ordinary.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return self.ordinary.database_backwards(
            self, app_label, schema_editor, from_state, to_state
        )


class AddIndexConcurrently(_OrdinaryOffPostgres, PostgresAddIndexConcurrently):
    ordinary = AddIndex


class RemoveIndexConcurrently(_OrdinaryOffPostgres, PostgresRemoveIndexConcurrently):
    ordinary = RemoveIndex


def blocking_index_changes(app_label: str, migration: Migration) -> list[Operation]:
    """The operations of a migration after the first that would lock a large table
    while an index is built or dropped."""
    if migration.initial:
        return []
    found = []
    for operation in migration.operations:
        if not isinstance(operation, AddIndex | RemoveIndex):
            continue
        if (app_label, operation.model_name.lower()) not in LARGE_TABLES:
            continue
        concurrent = isinstance(operation, AddIndexConcurrently | RemoveIndexConcurrently)
        if not concurrent or migration.atomic:
            found.append(operation)
    return found
