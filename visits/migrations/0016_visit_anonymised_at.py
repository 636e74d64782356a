from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('visits', '0015_visit_visitor_id_number'),
    ]

    operations = [
        migrations.AddField(
            model_name='visit',
            name='anonymised_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='anonymised'),
        ),
    ]
