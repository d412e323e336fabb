"""The Celery application: `celery -A flywheel worker -Q default,training`."""

import os

from celery import Celery
from celery.signals import worker_process_init
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flywheel.settings")

app = Celery("flywheel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (
    Queue("default", routing_key="default"),
    Queue("training", routing_key="training"),
)
app.autodiscover_tasks()


@worker_process_init.connect
def _leave_the_process_group(**kwargs):
    """Each pool process gets a process group of its own.

    Process managers (honcho under `make run`, a terminal's Ctrl-C) signal the worker's whole
    process group. The pool processes would then die mid-task while the main process starts
    its orderly shutdown, each logging a lost worker. Out of the group, only the main process
    hears the signal, and it stops its pool itself (docs/architecture.md, "Stopping")."""
    os.setpgid(0, 0)
