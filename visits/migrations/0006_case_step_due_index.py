# The office's list of workstations late on a case's own step filters on step_due_on.
# Built concurrently: the case table is large and written to all day.

from django.db import migrations, models

from base.migration_ops import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("visits", "0005_supervision_contact_sharing"),
    ]

    operations = [
        AddIndexConcurrently("case", models.Index(fields=["step_due_on"], name="case_step_due")),
    ]
