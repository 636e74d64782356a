from django.db import migrations

from audit.appendonly import RefuseChanges


class Migration(migrations.Migration):
    dependencies = [("rosters", "0001_initial")]

    operations = [RefuseChanges("dutychange")]
