"""How much resident memory each of the worker's tasks adds to a pool process, the first time
and the second time it runs there (the soak's memory rule, docs/benchmarks.md).

    .venv/bin/python bench/bench_task_memory.py [task names]   # RUNS=10: ten runs of each

A 300-bot world is seeded and a first model trained in its own database, then a child is
forked from a process set up as the Celery worker's main process is (the tasks' modules and
faiss loaded, `worker_init`'s work done), as the prefork pool does. The child runs every
periodic task of beat's schedule twice, in turn, and prints the growth of its resident and
unique memory after each run. A task whose first run adds megabytes and whose second adds
nothing has a working set, reached once per process; one that adds on every run leaks.
"""

import os
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).parent))
from process_memory import anonymous_bytes

RUNS = int(os.environ.get("RUNS", 2))  # of each task, in turn
URL = "postgres://postgres@127.0.0.1:5432/flywheel_bench_task_memory"

# beat's schedule (the data migrations' defaults), in the order the soak meets them
TASKS = (
    "ads.housekeeping",
    "analytics.rollup_recent",
    "analytics.rollup_late",
    "feeds.fold_in_fresh_posts",
    "feeds.refresh_trends",
    "feeds.precompute_candidates",
    "feeds.maybe_retrain",
    "feeds.train_feed_model",
    "feeds.train_feed_ranker",
    "ads.train_ad_targeter",
)


def prepare() -> None:
    os.environ.setdefault("BENCH_DATABASE_URL", URL)
    os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/7")
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/6")
    os.environ.setdefault("FEED_ALS_FACTORS", "16")
    from world import setup_django

    setup_django()
    from django.core.management import call_command

    from accounts.models import User

    if not User.objects.filter(bot__isnull=False).exists():
        print("  seeding 300 bots and training a first model...", flush=True)
        call_command("seed_world", bots=300, no_progress=True, verbosity=0)
        call_command("retrain", "feeds", verbosity=0)
        # the probe starts again in a fresh process, light as a worker's main process
        os.execv(sys.executable, [sys.executable, *sys.argv])
    recent_activity()


def recent_activity() -> None:
    """Move a tenth of the events and posts into the last ten minutes, so that the tasks
    that look at recent activity (precomputation, fresh posts, rollups) have a soak's work."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE analytics_event SET created_at = now() - random() * interval '10 minutes'"
            " WHERE id % 10 = 0"
        )
        cursor.execute(
            "UPDATE social_post SET created_at = now() - random() * interval '10 minutes'"
            " WHERE id % 10 = 0"
        )


def resident() -> tuple[float, float, float]:
    info = psutil.Process().memory_full_info()
    return info.rss / 2**20, info.uss / 2**20, anonymous_bytes(os.getpid()) / 2**20


def queued_training(name: str) -> list:
    """The arguments of a training task: a version queued for it, as the staff button does."""
    from feeds import registry
    from feeds.models import ModelKind

    kind = {
        "feeds.train_feed_model": ModelKind.FEED_ALS,
        "feeds.train_feed_ranker": ModelKind.FEED_RANKER,
        "ads.train_ad_targeter": ModelKind.AD_TARGETER,
    }.get(name)
    if kind is None:
        return []
    version = registry.queue_training(kind, params={}, triggered_by="bench", enqueue=False)
    return [version.pk]


def run_in_child(names) -> None:
    from celery import current_app
    from django import db

    db.connections.close_all()  # as the pool does: a child opens its own connections
    before = resident()
    print(
        f"  child at start: resident {before[0]:.1f} MB, unique {before[1]:.1f} MB,"
        f" anonymous {before[2]:.1f} MB"
    )
    print(
        f"  {'task':32} {'run':>3} {'seconds':>8} {'+resident MB':>13} {'+unique MB':>11}"
        f" {'+anonymous MB':>14}"
    )
    for name in names:
        task = current_app.tasks.get(name)
        if task is None:
            print(f"  {name:32} (not registered here)")
            continue
        for run in range(1, RUNS + 1):
            started = time.perf_counter()
            task.apply(args=queued_training(name))
            after = resident()
            print(
                f"  {name:32} {run:>3} {time.perf_counter() - started:8.2f}"
                f" {after[0] - before[0]:+13.1f} {after[1] - before[1]:+11.1f}"
                f" {after[2] - before[2]:+14.1f}",
                flush=True,
            )
            before = after


def main() -> None:
    prepare()
    from celery.signals import worker_init

    from flywheel.celery import app

    app.loader.import_default_modules()
    worker_init.send(sender=None)
    names = sys.argv[1:] or TASKS
    pid = os.fork()
    if pid == 0:
        try:
            run_in_child(names)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
