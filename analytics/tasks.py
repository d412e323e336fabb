from celery import shared_task

from analytics.services import events_prune


@shared_task(name="analytics.prune_events")
def prune_events() -> int:
    """Delete raw events past EVENT_RETENTION_DAYS (idempotent: a rerun finds nothing)."""
    return events_prune()
