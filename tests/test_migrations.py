"""Migrations fit for a deployed database: the case search's trigram indexes are known
to Django and used by PostgreSQL, and an index added to a large table after the first
deployment is built without blocking writes."""

import pytest
from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader

from base.migration_ops import (
    AddIndexConcurrently,
    RemoveIndexConcurrently,
    blocking_index_changes,
)
from visits.models import Case

PROJECT_APPS = {
    "audit", "workstations", "workdays", "members", "rosters", "visits", "activities",
    "points", "public",
}  # fmt: skip


def later_migration(*operations, atomic=True) -> migrations.Migration:
    migration = migrations.Migration("0002_more", "visits")
    migration.operations = list(operations)
    migration.atomic = atomic
    return migration


def title_index(name="case_title_status") -> models.Index:
    return models.Index(fields=["title", "status"], name=name)


def test_an_ordinary_index_added_later_to_the_case_table_is_called_blocking():
    operation = migrations.AddIndex("case", title_index())
    assert blocking_index_changes("visits", later_migration(operation)) == [operation]


def test_a_concurrent_index_in_an_atomic_migration_is_called_blocking():
    operation = AddIndexConcurrently("case", title_index())
    assert blocking_index_changes("visits", later_migration(operation)) == [operation]


def test_a_concurrent_index_in_a_non_atomic_migration_is_accepted():
    added = AddIndexConcurrently("case", title_index())
    dropped = RemoveIndexConcurrently("case", "case_newest")
    assert blocking_index_changes("visits", later_migration(added, dropped, atomic=False)) == []


def test_an_ordinary_drop_of_an_index_of_the_case_table_is_called_blocking():
    operation = migrations.RemoveIndex("case", "case_newest")
    assert blocking_index_changes("visits", later_migration(operation)) == [operation]


def test_an_index_on_a_small_table_or_in_the_initial_migration_may_be_ordinary():
    small = migrations.Migration("0002_more", "workstations")
    small.operations = [migrations.AddIndex("workstation", title_index())]
    initial = later_migration(migrations.AddIndex("case", title_index()))
    initial.initial = True
    assert blocking_index_changes("workstations", small) == []
    assert blocking_index_changes("visits", initial) == []


@pytest.mark.django_db
def test_no_migration_of_the_project_blocks_writes_to_a_large_table_for_an_index():
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    ours = {key: m for key, m in loader.disk_migrations.items() if key[0] in PROJECT_APPS}
    assert {app for app, _name in ours} == PROJECT_APPS
    assert {key: blocking_index_changes(key[0], m) for key, m in ours.items()} == {
        key: [] for key in ours
    }


def index_names() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, "visits_case"))


@pytest.mark.django_db(transaction=True)
def test_the_concurrent_operations_build_and_drop_an_index_on_this_database():
    before = MigrationLoader(connection).project_state()
    added = AddIndexConcurrently("case", title_index("case_title_status_tmp"))
    with_index = before.clone()
    added.state_forwards("visits", with_index)
    with connection.schema_editor(atomic=False) as editor:
        added.database_forwards("visits", editor, before, with_index)
    assert "case_title_status_tmp" in index_names()

    dropped = RemoveIndexConcurrently("case", "case_title_status_tmp")
    without_index = with_index.clone()
    dropped.state_forwards("visits", without_index)
    with connection.schema_editor(atomic=False) as editor:
        dropped.database_forwards("visits", editor, with_index, without_index)
    assert "case_title_status_tmp" not in index_names()


@pytest.mark.django_db
def test_the_case_search_is_answered_by_the_trigram_indexes_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm is PostgreSQL's; SQLite searches by scanning")
    assert {"visits_case_number_trgm", "visits_case_title_trgm"} <= index_names()
    with connection.cursor() as cursor:
        # On an almost empty table the planner would rightly scan; forbid it to see
        # whether the index matches the expression `icontains` compares on.
        cursor.execute("SET LOCAL enable_seqscan = off")
    # Unordered: the default newest-first order would rather walk the case_newest index.
    plan = Case.objects.filter(title__icontains="路灯").order_by().explain()
    assert "visits_case_title_trgm" in plan
