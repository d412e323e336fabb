"""The people active recently get their model candidates precomputed every minute."""

from django.db import migrations

from flywheel.schedules import periodic_task_operation


class Migration(migrations.Migration):
    dependencies = [("feeds", "0004_trend_schedule")]
    operations = [
        periodic_task_operation(
            name="Precompute feed candidates", task="feeds.precompute_candidates", minutes=1
        )
    ]
