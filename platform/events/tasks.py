from celery import shared_task

from events.roll_ups import impressions_roll_up
from events.services import events_prune


@shared_task(name="events.prune_events")
def prune_events() -> int:
    """Delete raw events past EVENT_RETENTION_DAYS (idempotent: a rerun finds nothing)."""
    return events_prune()


@shared_task(name="events.roll_up_impressions")
def roll_up_impressions() -> int:
    """Add newly logged impressions to their posts' counts (idempotent: each event once)."""
    return impressions_roll_up()
