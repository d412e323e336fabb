"""Celery tasks of the ads app: thin, they take ids and call the services.

`ads.train_ad_targeter` matches the `*.train_*` route, so it runs on the training queue. Its
triggers (the schedule and the data threshold) are the feed model's own tasks, which serve
every kind of model in the registry (feeds.tasks).
"""

from celery import shared_task
from django.conf import settings

from ads import clicks, index, services, training

TRAINING_SOFT_LIMIT = max(settings.TRAINING_TIME_LIMIT - 60, settings.TRAINING_TIME_LIMIT * 0.95)


@shared_task(
    name=training.TASK,  # "ads.train_ad_targeter"
    time_limit=settings.TRAINING_TIME_LIMIT,
    soft_time_limit=TRAINING_SOFT_LIMIT,
)
def train_ad_targeter(version_id: int) -> dict:
    """Train one queued version; a version that is not queued is left alone (idempotent)."""
    version = training.train_version(version_id)
    if version is None:
        return {"version": version_id, "skipped": True}
    return {"version": version.pk, "state": version.state, "reason": version.reason}


@shared_task(name="ads.housekeeping")
def housekeeping() -> int:
    """Every minute: finish campaigns past their end date or out of budget, make sure web
    processes know the campaigns that may serve (ads.index), forget expired impressions."""
    finished = services.campaigns_finish_ended()
    index.ensure_version()
    clicks.impressions_prune()
    return finished
