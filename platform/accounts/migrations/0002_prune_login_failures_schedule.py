from django.db import migrations

from flywheel.schedules import ensure_periodic_task, remove_periodic_task

NAME = "Forget old failed logins"


def create(apps, schema_editor):
    ensure_periodic_task(apps, name=NAME, task="accounts.prune_login_failures", hours=1)


def remove(apps, schema_editor):
    remove_periodic_task(apps, name=NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(create, remove)]
