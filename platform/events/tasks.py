from celery import shared_task

from events.services import events_prune


@shared_task(name="events.prune_events")
def prune_events() -> int:
    """Delete raw events past EVENT_RETENTION_DAYS (idempotent: a rerun finds nothing)."""
    return events_prune()
