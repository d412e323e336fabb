"""Time people spent reading each post, kept from the event log's dwell events by
events.roll_ups beside the impressions (a column default of 0, as for those)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("social", "0006_post_impression_count"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="read_ms",
            field=models.PositiveBigIntegerField(db_default=0, default=0, editable=False),
        ),
    ]
