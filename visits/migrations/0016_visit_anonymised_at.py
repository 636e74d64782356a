from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('visits', '0014_consent_wording'),
    ]

    operations = [
        migrations.AddField(
            model_name='visit',
            name='anonymised_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='anonymised'),
        ),
    ]
