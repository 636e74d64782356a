from django.db import migrations

from audit.appendonly import RefuseChanges


class Migration(migrations.Migration):
    dependencies = [("visits", "0012_extension_lapsed")]

    operations = [RefuseChanges("caseevent")]
