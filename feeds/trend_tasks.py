"""The periodic refresh of trends (imported by feeds.tasks, which Celery discovers)."""

from celery import shared_task

from feeds.trends import refresh_trends as refresh


@shared_task(name="feeds.refresh_trends")
def refresh_trends() -> dict:
    """Recompute trending hashtags and posts and replace the stored set (idempotent)."""
    return refresh().as_dict()
