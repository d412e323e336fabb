"""The event log now belongs to the `events` app (events 0001); its table stays as it is.

Django's state forgets analytics.Event without dropping the table. The content type
('analytics', 'event') becomes ('events', 'event'), so the admin's history and the
permissions granted on the log carry over, and the prune schedule follows its task's new name.
"""

from django.db import migrations

OLD_TASK, NEW_TASK = "analytics.prune_events", "events.prune_events"


def _move_content_type(apps, source: str, target: str) -> None:
    content_types = apps.get_model("contenttypes", "ContentType")
    old = content_types.objects.filter(app_label=source, model="event").first()
    if old is None:  # a fresh database: post_migrate creates the new one
        return
    # Present only if post_migrate ran between the two apps' migrations: it is empty (only
    # its default permissions), while the old one holds the history, so the old one stays.
    content_types.objects.filter(app_label=target, model="event").delete()
    old.app_label = target
    old.save(update_fields=["app_label"])


def forwards(apps, schema_editor):
    _move_content_type(apps, "analytics", "events")
    periodic_tasks = apps.get_model("django_celery_beat", "PeriodicTask")
    periodic_tasks.objects.filter(task=OLD_TASK).update(task=NEW_TASK)


def backwards(apps, schema_editor):
    _move_content_type(apps, "events", "analytics")
    periodic_tasks = apps.get_model("django_celery_beat", "PeriodicTask")
    periodic_tasks.objects.filter(task=NEW_TASK).update(task=OLD_TASK)


class Migration(migrations.Migration):

    dependencies = [
        ("analytics", "0008_following_impressions"),
        ("events", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="Event")],
        ),
        migrations.RunPython(forwards, backwards),
    ]
