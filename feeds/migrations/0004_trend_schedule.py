"""Trends are refreshed every five minutes by default (staff can change it in the admin)."""

from django.db import migrations

from flywheel.schedules import ensure_periodic_task, remove_periodic_task

NAME = "Refresh trending hashtags and posts"


def create(apps, schema_editor):
    ensure_periodic_task(apps, name=NAME, task="feeds.refresh_trends", minutes=5)


def remove(apps, schema_editor):
    remove_periodic_task(apps, name=NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("feeds", "0003_training_schedules"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
