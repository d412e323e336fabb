"""The feed model retrains on a schedule, on new data, and stale runs are reaped."""

from django.db import migrations

from flywheel.schedules import ensure_periodic_task, remove_periodic_task

SCHEDULES = [
    ("Retrain the feed model", "feeds.scheduled_retrain", {"hours": 6}),
    ("Retrain the feed model on new data", "feeds.maybe_retrain", {"minutes": 1}),
    ("Fail stale training runs", "feeds.reap_stale_runs", {"minutes": 10}),
]


def create(apps, schema_editor):
    for name, task, every in SCHEDULES:
        ensure_periodic_task(apps, name=name, task=task, **every)


def remove(apps, schema_editor):
    for name, _, _ in SCHEDULES:
        remove_periodic_task(apps, name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("feeds", "0002_default_arms"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
