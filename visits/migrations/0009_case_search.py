"""The case search's tokens (visits.search): a row for every case, filled from its
number, title, description and timeline notes; on SQLite the FTS5 table they are
searched in."""

import base.indexes
import django.db.models.deletion
from django.db import migrations, models


FTS_TABLE = "visits_casesearchtext_fts"


def create_fts_table(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(tokens)")


def drop_fts_table(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE {FTS_TABLE}")


def fill(apps, schema_editor):
    # The tokenizer is a pure function of the text; a change to it comes with a migration
    # of its own that runs this again.
    from visits.search import rebuild

    rebuild(
        apps.get_model("visits", "Case").objects,
        apps.get_model("visits", "CaseEvent"),
        apps.get_model("visits", "CaseSearchText"),
    )


class Migration(migrations.Migration):

    dependencies = [
        ('visits', '0008_visit_sms_consent'),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseSearchText',
            fields=[
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search_text', serialize=False, to='visits.case')),
                ('tokens', models.TextField(blank=True)),
            ],
            options={
                'verbose_name': 'case search text',
                'verbose_name_plural': 'case search texts',
                'indexes': [base.indexes.FullTextIndex(config='simple', field='tokens', name='case_search_tokens')],
            },
        ),
        migrations.RunPython(create_fts_table, drop_fts_table),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
