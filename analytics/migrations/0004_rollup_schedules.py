"""The rollups run on a schedule: the live hours every minute, late events every 15 minutes."""

from django.db import migrations

from flywheel.schedules import periodic_task_operation


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0003_rollups"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [
        periodic_task_operation(
            name="Roll up the last hours of events", task="analytics.rollup_recent", minutes=1
        ),
        periodic_task_operation(
            name="Roll up late events (last day's hours and days)",
            task="analytics.rollup_late",
            minutes=15,
        ),
    ]
