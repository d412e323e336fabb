"""Celery tasks of the feeds app: thin, they take ids and call the services.

`feeds.train_feed_model` matches the `*.train_*` route, so it runs on the training queue;
the triggers are light and run on the default queue.
"""

import logging

from celery import shared_task
from celery.signals import task_postrun, worker_init
from django.conf import settings

from feeds import (
    candidates,
    fresh_posts,
    ranker_log,
    ranker_training,
    registry,
    retrieval,
    topic_engagement,
    trainable_posts,
    training,
)
from flywheel import memory

try:  # the trend tasks live in their own module, built separately
    from feeds.trend_tasks import *  # noqa: F403
except ModuleNotFoundError as missing:
    if missing.name != "feeds.trend_tasks":
        raise

log = logging.getLogger(__name__)


@worker_init.connect
def _load_the_index_library(**kwargs):
    """Load faiss in the worker's main process, before it forks its pool.

    A pool process builds the index when it trains. Loaded on use there, faiss added its
    pages to whichever child ran the first training, a step the soak read as growth
    (docs/benchmarks.md). Loaded once here, the pages are shared by every child and are
    there from the start. Only loaded, never run: a parent that has started OpenMP's
    threads (faiss, implicit, scikit-learn's trees) before forking leaves its children
    hanging on their first parallel call."""
    retrieval.faiss_library()


@task_postrun.connect
def _return_freed_memory(sender=None, **kwargs):
    """After a training, give the freed heap back to the system: its arrays are gone, but
    the allocator keeps their pages for the process unless told (docs/benchmarks.md)."""
    if sender is not None and ".train_" in sender.name:
        memory.release_freed_memory()


TRAINING_SOFT_LIMIT = max(settings.TRAINING_TIME_LIMIT - 60, settings.TRAINING_TIME_LIMIT * 0.95)


def _outcome(version_id: int, version) -> dict:
    if version is None:
        return {"version": version_id, "skipped": True}
    return {"version": version.pk, "state": version.state, "reason": version.reason}


@shared_task(
    name=training.TASK,  # "feeds.train_feed_model"
    time_limit=settings.TRAINING_TIME_LIMIT,
    soft_time_limit=TRAINING_SOFT_LIMIT,
)
def train_feed_model(version_id: int) -> dict:
    """Train one queued version. Idempotent: a version that is not queued is left alone, so
    a redelivered message (a lost worker, a repeated call) never trains twice."""
    return _outcome(version_id, training.train_version(version_id))


@shared_task(
    name=ranker_training.TASK,  # "feeds.train_feed_ranker"
    time_limit=settings.TRAINING_TIME_LIMIT,
    soft_time_limit=TRAINING_SOFT_LIMIT,
)
def train_feed_ranker(version_id: int) -> dict:
    """Train one queued version of the learned ranker (idempotent, as the feed model's)."""
    return _outcome(version_id, ranker_training.train_version(version_id))


@shared_task(name="feeds.prune_served")
def prune_served() -> int:
    """Daily: delete served-post records past the event log's retention, and the tombstones
    of deleted posts that no saved trainable set can still need."""
    trainable_posts.prune_tombstones()
    return ranker_log.prune_served()


def _for_every_kind(trigger: str) -> int | None:
    """Run one trigger for every kind of model in the registry (the feed model, the ad
    targeter); the id of the first version queued, or None. One kind's error is logged and
    does not keep the others from their turn."""
    queued = []
    for kind in registry.TRAINERS:
        try:
            version = getattr(registry.trainer(kind), trigger)(kind=kind)
        except Exception:
            log.exception("the %s trigger failed for %s", trigger, kind)
            continue
        if version is not None:
            queued.append(version.pk)
    return queued[0] if queued else None


@shared_task(name="feeds.roll_up_topic_engagement")
def roll_up_topic_engagement() -> int:
    """Add newly logged views and reading time to people's hashtags (each event once)."""
    return topic_engagement.topic_engagement_roll_up()


@shared_task(name="feeds.maybe_retrain")
def maybe_retrain() -> int | None:
    """The data-threshold trigger (every minute): queue a run of each kind of model when
    enough is new for it; first, send again the runs queued while the broker was away."""
    registry.resend_unsent()
    return _for_every_kind("retrain_if_due")


@shared_task(name="feeds.scheduled_retrain")
def scheduled_retrain() -> int | None:
    """The periodic retrain of each kind of model (every 6 hours by default, editable in
    the admin)."""
    return _for_every_kind("retrain_on_schedule")


@shared_task(name=registry.PRECOMPUTE_TASK)  # "feeds.precompute_candidates"
def precompute_candidates() -> int:
    """Store the model candidates of the people active recently (feeds.candidates), at most
    FEED_PRECOMPUTE_MAX_PEOPLE of them, most recent first: when a version activates, and
    every minute for the people who came since."""
    people = candidates.recently_active(
        minutes=settings.FEED_PRECOMPUTE_ACTIVE_MINUTES, limit=settings.FEED_PRECOMPUTE_MAX_PEOPLE
    )
    return candidates.precompute(people)


@shared_task(name="feeds.fold_in_fresh_posts")
def fold_in_fresh_posts() -> int:
    """Every 30 s: vectors for the posts the active version does not know yet."""
    return fresh_posts.fold_in_fresh_posts()


@shared_task(name="feeds.reap_stale_runs")
def reap_stale_runs() -> list[int]:
    """Fail runs stuck past TRAINING_TIME_LIMIT, so a killed worker frees the lock."""
    return registry.reap_stale_runs()
