"""Times each post was shown, kept from the event log by events.roll_ups (a column default
of 0 in the database, so bulk writers that name their columns need not know it)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('social', '0005_post_text_html'),
    ]

    operations = [
        migrations.AddField(
            model_name='post',
            name='impression_count',
            field=models.PositiveBigIntegerField(db_default=0, default=0, editable=False),
        ),
    ]
