"""Sending tasks from the request path without depending on the broker.

A task is sent only after the transaction that made its work commits (a rolled-back request
sends nothing, and the worker never looks for a row it cannot see yet). If the broker is away
then, the request still succeeds: what the task would do is recorded in the database (a
queued model version, the events a rollup reads), so nothing committed is lost, and a periodic
task sends it again once the broker is back (feeds.registry.resend_unsent for trainings; the
periodic tasks themselves simply run again when beat reaches the broker).
"""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

log = logging.getLogger(__name__)
# Fail fast: a request must not wait long for a broker that is away (Celery's default retries
# sending for about a second, kombu's connection for longer).
SEND_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}


def send(task, *args, **options) -> bool:
    """Send `task` now, a task or a task's registered name; False (logged) when the broker
    cannot take it. By name, a module sends a task without importing the module that
    declares it (a tasks module imports what its tasks call, not the other way round)."""
    if isinstance(task, str):
        from flywheel.celery import app

        task = app.signature(task)
    try:
        task.apply_async(args=args, retry_policy=SEND_RETRY_POLICY, **options)
    except (BrokerError, OSError) as error:
        log.warning("broker away, %s not sent (it will be sent again): %s", task.name, error)
        return False
    return True


def send_on_commit(task, *args, **options) -> None:
    """Send `task` (or the task of that name) once the current transaction commits (now,
    outside one)."""
    transaction.on_commit(lambda: send(task, *args, **options))


def waiting_messages(queue: str) -> int | None:
    """How many messages wait in `queue` on the broker; None when it cannot be asked."""
    from flywheel.celery import app

    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1)
            return connection.default_channel.queue_declare(queue=queue).message_count
    except Exception as error:  # kombu raises transport-specific errors
        log.warning("cannot count the messages in %s: %s", queue, error)
        return None
