"""Incremental learning on the bench world, against a cold full retrain in the same run.

    .venv/bin/python bench/bench_incremental.py [users posts events]

On a generated world with tastes (default 200,000 people, 1,000,000 posts, 10,000,000 events,
50 topics, 80% of a person's events on their topic; database flywheel_bench_taste, apart from
the other benchmarks' world, so recall measures learnt tastes, not noise):
  1. v1: a cold full retrain (64 factors, 15 iterations), active; it saves the matrix cells.
  2. 1% new events appended (100,000 by default), newer than everything.
  3. the matrix step: a full rebuild against the maintained matrix (saved cells plus the new
     events), alternating, best of 3 each (target: maintained <= 0.1 x rebuild).
  4. the retrain: a cold full retrain (matrix rebuilt, fit from scratch) against a warm,
     incremental one (maintained matrix, v1's factors, 5 iterations), both judged on the
     same hold-out, what v1 never saw (target: time <= 0.3 x cold, recall@20 and nDCG@20 >=
     0.98 x cold).
  5. freshness under load: for FRESH_SECONDS a writer makes a post and likes it every
     second or two, the fold-in task runs every 30 s as beat runs it, and a "web process"
     asks for the model every second (looking for the side file every
     FEED_FRESH_CHECK_SECONDS); time from a post's first like to its vector being served:
     p50, p95 (target p95 < 60 s), and the task's CPU seconds per minute.
The appended events and posts are deleted at the end, so the world is reused next time.
"""

import os
import random
import resource
import shutil
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from world import append_events, ensure_world, setup_django

FACTORS, ITERATIONS, ROUNDS = 64, 15, 3
FRESH_SECONDS = int(os.environ.get("FRESH_SECONDS", 180))  # 0: skip the freshness part
WARM_ITERATIONS = os.environ.get("WARM_ITERATIONS")  # default: FEED_ALS_WARM_ITERATIONS
FOLD_EVERY = 30
TOPICS = 50
TASTE_URL = "postgres://postgres@127.0.0.1:5432/flywheel_bench_taste"


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def best(times):
    return min(times)


def train(overrides, *, incremental: bool):
    from django.conf import settings

    from feeds import training

    settings.FEED_MATRIX_INCREMENTAL = incremental
    version = training.training_request(triggered_by="bench", overrides=overrides, enqueue=False)
    started = time.perf_counter()
    version = training.train_version(version.pk)
    return version, time.perf_counter() - started


def metrics_line(version) -> str:
    model = version.metrics["model"]
    seconds = version.metrics.get("seconds", {})
    stages = ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items())
    return (
        f"recall@20 {model['recall@20']:.4f}, nDCG@20 {model['ndcg@20']:.4f}; "
        f"{version.metrics['fit']['start']} ({version.metrics['fit']['iterations']} iterations); "
        f"{stages}"
    )


def cells_folder() -> Path:
    from django.conf import settings

    return Path(settings.MODEL_ROOT) / "feed_als" / "cells"


def keep_cells() -> Path:
    """Put aside the cells v1 saved, so every maintained run starts from them."""
    kept = cells_folder().with_name("cells-v1")
    shutil.rmtree(kept, ignore_errors=True)
    shutil.copytree(cells_folder(), kept)
    return kept


def restore_cells(kept: Path) -> None:
    shutil.rmtree(cells_folder(), ignore_errors=True)
    shutil.copytree(kept, cells_folder())


def measure_matrix(weights, newest, saved: Path):
    from feeds.matrix import build_interaction_matrix
    from feeds.matrix_store import maintain_interaction_matrix

    rebuilt, maintained = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        full = build_interaction_matrix(weights, max_event_id=newest)
        rebuilt.append(time.perf_counter() - started)
        restore_cells(saved)
        started = time.perf_counter()
        kept = maintain_interaction_matrix(weights, max_event_id=newest)
        maintained.append(time.perf_counter() - started)
    same = (full.matrix != kept.matrix).nnz == 0 or abs(full.matrix - kept.matrix).max() < 1e-4
    for name, times, result in (("full rebuild", rebuilt, full), ("maintained", maintained, kept)):
        runs = ", ".join(f"{t:.2f}" for t in times)
        print(f"  {name:<13}: {runs} s ({result.events:,} events read)")
    ratio = best(maintained) / best(rebuilt)
    print(f"  same matrix: {same}; ratio of the best: {ratio:.3f} (target <= 0.1)")
    return best(rebuilt), best(maintained)


def freshness(users: int):
    """Writer, task and web process in threads of this process, each with its own
    connection, as they would be in three processes."""
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from events.models import Event, EventKind
    from feeds import fresh_posts
    from feeds.serving import current_model
    from social.models import Post

    author = User.objects.filter(username="bench1").first()
    first_like: dict[int, float] = {}
    served_at: dict[int, float] = {}
    task_runs: list[tuple[float, float]] = []  # (wall, cpu) seconds
    stop = time.monotonic() + FRESH_SECONDS
    done = threading.Event()

    def writer():
        rng = random.Random(1)
        while time.monotonic() < stop:
            post = Post.objects.create(author=author, text="a fresh post")
            likers = rng.sample(range(1, min(users, 5000)), 3)
            Event.objects.bulk_create(
                Event(
                    kind=EventKind.LIKE,
                    user_id=u,
                    post_id=post.pk,
                    surface="home",
                    created_at=timezone.now(),
                )
                for u in likers
            )
            first_like[post.pk] = time.monotonic()
            time.sleep(rng.uniform(1, 2))
        connection.close()

    def task():
        while not done.is_set():
            started, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_THREAD)
            fresh_posts.fold_in_fresh_posts()
            used = resource.getrusage(resource.RUSAGE_THREAD)
            task_runs.append(
                (
                    time.perf_counter() - started,
                    used.ru_utime - cpu.ru_utime + used.ru_stime - cpu.ru_stime,
                )
            )
            done.wait(FOLD_EVERY)
        connection.close()

    def web():
        while not done.is_set():
            served = current_model()
            fresh = served.fresh if served else None
            if fresh is not None:
                now, known = time.monotonic(), set(fresh.post_ids.tolist())
                for post_id in set(first_like) - set(served_at):
                    if post_id in known:
                        served_at[post_id] = now
            time.sleep(1)
        connection.close()

    threads = [threading.Thread(target=f) for f in (writer, task, web)]
    for thread in threads:
        thread.start()
    threads[0].join()
    time.sleep(FOLD_EVERY + 15)  # the last posts get their turn
    done.set()
    for thread in threads[1:]:
        thread.join()
    waits = np.array([served_at[p] - first_like[p] for p in served_at])
    missing = len(first_like) - len(served_at)
    print(f"  {len(first_like)} posts liked, {len(served_at)} served with a vector ({missing} not)")
    if len(waits):
        print(
            f"  first like -> vector served: p50 {np.percentile(waits, 50):.1f} s, "
            f"p95 {np.percentile(waits, 95):.1f} s, max {waits.max():.1f} s (target p95 < 60 s)"
        )
    walls = [w for w, _ in task_runs]
    cpu = sum(c for _, c in task_runs)
    minutes = FRESH_SECONDS / 60
    print(
        f"  fold-in task: {len(task_runs)} runs, {np.median(walls):.2f} s median, "
        f"{cpu / minutes:.2f} CPU s per minute"
    )


def main():
    sizes = (
        [int(x) for x in sys.argv[1:4]] if len(sys.argv) >= 4 else [200_000, 1_000_000, 10_000_000]
    )
    os.environ.setdefault("BENCH_DATABASE_URL", TASTE_URL)
    setup_django()
    ensure_world(users=sizes[0], posts=sizes[1], events=sizes[2], topics=TOPICS)

    from django.conf import settings
    from django.db import connection

    from feeds import registry
    from feeds.matrix import MatrixWeights, latest_event_id
    from feeds.models import ModelVersion
    from social.models import Post

    print(f"load average at start: {load()} (1/5/15 min), {os.cpu_count()} CPUs")
    ModelVersion.objects.all().delete()
    shutil.rmtree(Path(settings.MODEL_ROOT) / "feed_als" / "cells", ignore_errors=True)
    settings.FEED_MATRIX_SETTLE_SECONDS = 0  # the appended events count as settled
    base_event = latest_event_id()
    base_post = Post.objects.order_by("-id").values_list("id", flat=True).first()
    cold = {"factors": FACTORS, "iterations": ITERATIONS, "gate_enabled": False}
    try:
        print("1. v1: cold full retrain of the world")
        v1, seconds = train({**cold, "warm_start": False}, incremental=True)
        print(f"  {seconds:.1f} s; {metrics_line(v1)}")
        kept = keep_cells()

        added = sizes[2] // 100
        print(f"2. appending {added:,} events (1%)")
        with connection.cursor() as cursor:
            append_events(
                cursor,
                users=sizes[0],
                posts=sizes[1],
                count=added,
                spread="1 minute",
                topics=TOPICS,
            )
        print()
        newest = latest_event_id()

        print("3. the matrix step")
        measure_matrix(MatrixWeights(), newest, kept)

        print("4. the retrain after 1% new events, judged on the same hold-out")
        cold_times, warm_times = [], []
        for round_number in range(1, 3):
            registry.version_activate(v1.pk)
            full, seconds = train({**cold, "warm_start": False}, incremental=False)
            cold_times.append(seconds)
            print(f"  round {round_number} cold full : {seconds:6.1f} s; {metrics_line(full)}")
            registry.version_activate(v1.pk)
            restore_cells(kept)
            warm_overrides = {**cold, "warm_start": True}
            if WARM_ITERATIONS:
                warm_overrides["warm_iterations"] = int(WARM_ITERATIONS)
            warm, seconds = train(warm_overrides, incremental=True)
            warm_times.append(seconds)
            print(f"  round {round_number} warm incr.: {seconds:6.1f} s; {metrics_line(warm)}")
        assert warm.metrics["holdout"] == full.metrics["holdout"], "not the same hold-out"
        ratio = best(warm_times) / best(cold_times)
        print(
            f"  time: best warm {best(warm_times):.1f} s / best cold {best(cold_times):.1f} s"
            f" = {ratio:.3f} (target <= 0.3)"
        )
        for metric in ("recall@20", "ndcg@20"):
            share = warm.metrics["model"][metric] / full.metrics["model"][metric]
            print(f"  {metric}: warm / cold = {share:.3f} (target >= 0.98)")

        if FRESH_SECONDS:
            print(f"5. freshness under load, {FRESH_SECONDS} s")
            registry.version_activate(warm.pk)
            settings.FEED_FRESH_CHECK_SECONDS = 10
            freshness(sizes[0])
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM analytics_event WHERE id > %s", [base_event])
            cursor.execute("DELETE FROM social_post WHERE id > %s", [base_post])
        print(f"load average at the end: {load()}")


if __name__ == "__main__":
    main()
