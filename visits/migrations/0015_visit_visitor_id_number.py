# The visitor's ID number, encrypted (base/encrypted.py), and its lookup hash; the hash's
# partial index built concurrently: the visit table is large and written to all day.

from django.db import migrations, models

import base.encrypted
import workstations.validators
from base.migration_ops import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("visits", "0014_consent_wording"),
    ]

    operations = [
        migrations.AddField(
            model_name="visit",
            name="visitor_id_number",
            field=base.encrypted.EncryptedTextField(
                blank=True,
                hash_field="visitor_id_number_hash",
                help_text="Only when the handling needs it. Shown masked; kept encrypted.",
                normalise=workstations.validators.normalise_id_number,
                validators=[workstations.validators.id_number_validator],
                verbose_name="visitor's ID number",
            ),
        ),
        migrations.AddField(
            model_name="visit",
            name="visitor_id_number_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        AddIndexConcurrently(
            "visit",
            models.Index(
                condition=~models.Q(visitor_id_number_hash=""),
                fields=["visitor_id_number_hash"],
                name="visit_id_number_hash",
            ),
        ),
    ]
