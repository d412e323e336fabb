"""Impressions are added to their posts' counts every minute (events.roll_ups), from a mark
kept in `events_rollupmark`; staff can change the schedule in the admin."""

from django.db import migrations, models

from flywheel.schedules import periodic_task_operation


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_event_recorded_at"),
        ("social", "0006_post_impression_count"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="RollUpMark",
            fields=[
                ("name", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("event_id", models.BigIntegerField(default=0)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
        ),
        periodic_task_operation(
            name="Add new impressions to their posts' counts",
            task="events.roll_up_impressions",
            minutes=1,
        ),
    ]
