"""Campaigns past their end or out of budget are finished every minute."""

from django.db import migrations

from flywheel.schedules import periodic_task_operation


class Migration(migrations.Migration):
    dependencies = [
        ("ads", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [
        periodic_task_operation(
            name="Finish ended campaigns and refresh the ad index",
            task="ads.housekeeping",
            minutes=1,
        )
    ]
