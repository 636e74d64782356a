from django.db import migrations

from audit.appendonly import RefuseChanges


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_more_actions")]

    operations = [RefuseChanges("auditentry", purgeable=True)]
