from django.db import migrations

from audit.appendonly import RefuseChanges


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]

    operations = [RefuseChanges("proposalevent")]
