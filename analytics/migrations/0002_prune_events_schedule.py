from django.db import migrations

from flywheel.schedules import ensure_periodic_task, remove_periodic_task

NAME = "Prune raw events past retention"


def create(apps, schema_editor):
    ensure_periodic_task(apps, name=NAME, task="analytics.prune_events", hours=24)


def remove(apps, schema_editor):
    remove_periodic_task(apps, name=NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
