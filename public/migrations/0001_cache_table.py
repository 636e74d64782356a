"""The database cache's table: the shared cache (page cache, rate limits) works out of the
box, in every database the migrations build, tests included. With Redis configured the
command sees no database cache and creates nothing."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies: list = []

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
