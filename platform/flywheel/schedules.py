"""Default periodic tasks, created by data migrations and then editable in the admin."""


def ensure_periodic_task(
    apps, *, name: str, task: str, hours: int = 0, minutes: int = 0, seconds: int = 0
):
    """Create the schedule if it does not exist; never overwrite what staff changed."""
    interval_model = apps.get_model("django_celery_beat", "IntervalSchedule")
    task_model = apps.get_model("django_celery_beat", "PeriodicTask")
    if task_model.objects.filter(name=name).exists():
        return
    every, period = next(
        (every, period)
        for every, period in ((hours, "hours"), (minutes, "minutes"), (seconds, "seconds"))
        if every
    )
    interval, _ = interval_model.objects.get_or_create(every=every, period=period)
    task_model.objects.create(name=name, task=task, interval=interval, enabled=True)


def remove_periodic_task(apps, *, name: str):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()


def periodic_task_operation(
    *, name: str, task: str, hours: int = 0, minutes: int = 0, seconds: int = 0
):
    """The migration operation that creates (and on reverse removes) one default schedule."""
    from django.db import migrations

    def create(apps, schema_editor):
        ensure_periodic_task(
            apps, name=name, task=task, hours=hours, minutes=minutes, seconds=seconds
        )

    def remove(apps, schema_editor):
        remove_periodic_task(apps, name=name)

    return migrations.RunPython(create, remove)
