"""The case list's search reads CaseSearchText now: the description's trigram index
only slowed every write. Dropped without locking the cases table (PostgreSQL)."""

from django.db import migrations

from base.migration_ops import RemoveIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("visits", "0009_case_search"),
    ]

    operations = [
        RemoveIndexConcurrently(model_name="case", name="visits_case_description_trgm"),
    ]
