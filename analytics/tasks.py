from celery import shared_task

from analytics import rollups
from analytics.services import events_prune


@shared_task(name="analytics.prune_events")
def prune_events() -> int:
    """Delete raw events past EVENT_RETENTION_DAYS (idempotent: a rerun finds nothing)."""
    return events_prune()


@shared_task(name="analytics.rollup_recent")
def rollup_recent() -> int:
    """Recompute the current and the last few hours (the flywheel page's live figures)."""
    return rollups.rollup_recent()


@shared_task(name="analytics.rollup_late")
def rollup_late() -> int:
    """Recompute the last day's hours and the last days, folding late events in."""
    return rollups.rollup_late()
