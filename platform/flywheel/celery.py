"""The Celery application: `celery -A flywheel worker -Q default,training`."""

import os

from celery import Celery, Task
from celery.signals import worker_process_init
from django.db import InterfaceError, OperationalError
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flywheel.settings")


class FlywheelTask(Task):
    """Every task retries when the database cannot be reached (restarting, failing over):
    after 1, 2, 4 ... up to 60 s, ten times, about six minutes in all. Celery's Django fixup
    closes a broken connection after each run, so the retry connects afresh. Every task is
    idempotent (each says how), so running one again after a half-done attempt is safe: the
    half-done attempt's transaction was rolled back with the lost connection."""

    autoretry_for = (OperationalError, InterfaceError)
    retry_backoff = 1
    retry_backoff_max = 60
    retry_jitter = False
    max_retries = 10


app = Celery("flywheel", task_cls=FlywheelTask)
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
