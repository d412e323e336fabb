from celery import shared_task

from analytics import rollups


@shared_task(name="analytics.rollup_recent")
def rollup_recent() -> int:
    """Recompute the current and the last few hours (the flywheel page's live figures)."""
    return rollups.rollup_recent()


@shared_task(name="analytics.rollup_late")
def rollup_late() -> int:
    """Recompute the last day's hours and the last days, folding late events in."""
    return rollups.rollup_late()
