"""Costs against data size: per request, per event and per retrain, at three world sizes or more.

    .venv/bin/python bench/bench_scaling.py [users,posts,events ...]

Default sizes: 10,000 / 40,000 / 160,000 people with 5 posts and 50 events each. Each size is
its own database (flywheel_bench_scale_<people>, reused when it already holds that world) and
runs in its own process. At each size it measures:
  - a whole feed retrain as the worker runs it (64 factors, 15 iterations, gate off): wall
    seconds and CPU seconds;
  - under gunicorn (2 workers x 4 threads, port 8766), 2 load processes x 16 connections:
    /livez (the ceiling), first pages of /api/timeline/home/ (candidates precomputed), and
    event ingestion (POST /api/events/, batches of 50).
Each load reports requests/s and p99, and its cost in CPU milliseconds per request: of the
gunicorn processes and, apart, of this database's PostgreSQL backends. CPU time, unlike
requests/s, is what the work costs whatever else the machine is doing, so these are the
slopes docs/scaling.md builds on. The last lines fit each cost's exponent against the number
of events (cost ~ events^b: b = 0 is flat, b = 1 is linear).
"""

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

DEFAULT_SIZES = ["10000,50000,500000", "40000,200000,2000000", "160000,800000,8000000"]
PORT, SECONDS, PEOPLE = 8766, 12.0, 1000
FACTORS, ITERATIONS = 64, 15


def cpu_seconds(pids) -> dict[int, float]:
    import psutil

    times = {}
    for pid in pids:
        try:
            cpu = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        times[pid] = cpu.user + cpu.system
    return times


def server_pids(gunicorn_pid: int) -> list[int]:
    import psutil

    root = psutil.Process(gunicorn_pid)
    return [root.pid, *(child.pid for child in root.children(recursive=True))]


def database_pids() -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def measured_load(server, make_requests):
    """run_load's figures plus the web's and the database's CPU ms per request."""
    from load import run_load

    web_before = cpu_seconds(server_pids(server.process.pid))
    db_before = cpu_seconds(database_pids())
    result = run_load(server.url, make_requests, seconds=SECONDS, threads=16)
    web_after = cpu_seconds(server_pids(server.process.pid))
    db_after = cpu_seconds(database_pids())

    def spent(before, after):
        return sum(after[pid] - before.get(pid, 0.0) for pid in after)

    requests = max(result["requests"], 1)
    result["web_cpu_ms"] = 1000 * spent(web_before, web_after) / requests
    result["db_cpu_ms"] = 1000 * spent(db_before, db_after) / requests
    return result


def retrain() -> dict:
    from feeds import training
    from feeds.models import ModelVersion

    ModelVersion.objects.all().delete()
    overrides = {"factors": FACTORS, "iterations": ITERATIONS, "gate_enabled": False}
    version = training.training_request(triggered_by="bench", overrides=overrides, enqueue=False)
    wall, cpu = time.perf_counter(), time.process_time()
    version = training.train_version(version.pk)
    return {
        "retrain_s": time.perf_counter() - wall,
        "retrain_cpu_s": time.process_time() - cpu,
        "state": version.state,
        "matrix": f"{version.users:,} x {version.items:,}",
    }


def measure_size(users: int, posts: int, events: int) -> dict:
    os.environ["BENCH_DATABASE_URL"] = (
        f"postgres://postgres@127.0.0.1:5432/flywheel_bench_scale_{users}"
    )
    # Each size's registry numbers its versions from 1: their artifacts must not meet.
    repo = Path(__file__).resolve().parents[1]
    os.environ["MODEL_ROOT"] = str(repo / "var" / f"bench-models-scale-{users}")
    # Nor may its cached candidates meet another benchmark's (the soak uses 10 and 11).
    os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/9")
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/8")
    from world import ensure_world, setup_django

    setup_django()
    ensure_world(users=users, posts=posts, events=events)
    from bench_home_feed import prepare
    from bench_ingest import prepare as prepare_ingest
    from bench_ingest import requests_for
    from django.db import connection
    from server import Gunicorn

    from feeds import candidates

    figures = {"users": users, "posts": posts, "events": events, **retrain()}
    people, tokens = prepare(PEOPLE)
    candidates.precompute(people)
    ingest_tokens, post_ids = prepare_ingest()

    def first_pages(process):
        def request(n, last=None):
            token = tokens[(n * 2 + process) % len(tokens)]
            headers = {"Authorization": f"Bearer {token}"}
            return "GET", "/api/timeline/home/?page_size=20", None, headers

        return request

    def trivial(process):
        return lambda n, last=None: ("GET", "/livez", None, {})

    connection.close()
    env = {"THROTTLE_USER": "1000000/min", "THROTTLE_EVENTS": "1000000/min"}
    try:
        with Gunicorn(port=PORT, env=env) as server:
            from load import run_load

            run_load(server.url, first_pages, seconds=3, threads=16)  # every worker loads it
            figures["livez"] = measured_load(server, trivial)
            figures["home"] = measured_load(server, first_pages)
            figures["ingest"] = measured_load(server, requests_for(ingest_tokens, post_ids))
    finally:
        with connection.cursor() as cursor:  # leave the world as it was, for the next run
            cursor.execute("DELETE FROM analytics_event WHERE client_key LIKE 'bench-%%'")
    figures["load_average"] = os.getloadavg()[0]
    return figures


def exponent(sizes, costs) -> float:
    """Least-squares slope of log(cost) against log(size)."""
    xs, ys = [math.log(s) for s in sizes], [math.log(max(c, 1e-9)) for c in costs]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def report(runs: list[dict]) -> None:
    print()
    print(
        f"{'people':>8} {'events':>11} | {'retrain s':>9} {'CPU s':>7} | {'livez/s':>7} "
        f"{'home/s':>7} {'ratio':>6} {'home p99':>8} {'web ms':>7} {'db ms':>6} | "
        f"{'events/s':>8} {'web ms/ev':>9} {'db ms/ev':>8} | load"
    )
    for run in runs:
        livez, home, ingest = run["livez"], run["home"], run["ingest"]
        print(
            f"{run['users']:>8,} {run['events']:>11,} | {run['retrain_s']:>9.1f} "
            f"{run['retrain_cpu_s']:>7.1f} | {livez['rps']:>7.0f} {home['rps']:>7.1f} "
            f"{home['rps'] / livez['rps']:>6.3f} {home['p99_ms']:>7.0f}ms "
            f"{home['web_cpu_ms']:>7.1f} {home['db_cpu_ms']:>6.1f} | "
            f"{ingest['rps'] * 50:>8.0f} {ingest['web_cpu_ms'] / 50:>9.3f} "
            f"{ingest['db_cpu_ms'] / 50:>8.3f} | {run['load_average']:.1f}"
        )
    events = [run["events"] for run in runs]
    slopes = {
        "retrain CPU s": [run["retrain_cpu_s"] for run in runs],
        "home page, web CPU ms": [run["home"]["web_cpu_ms"] for run in runs],
        "home page, database CPU ms": [run["home"]["db_cpu_ms"] for run in runs],
        "event, web CPU ms": [run["ingest"]["web_cpu_ms"] for run in runs],
        "event, database CPU ms": [run["ingest"]["db_cpu_ms"] for run in runs],
    }
    if len(set(events)) < 2:
        return
    print("\nexponent b in cost ~ events^b (0: flat, 1: linear):")
    for name, costs in slopes.items():
        print(f"  {name:<28} b = {exponent(events, costs):5.2f}")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        users, posts, events = (int(x) for x in sys.argv[2].split(","))
        print("RESULT " + json.dumps(measure_size(users, posts, events)), flush=True)
        return
    runs = []
    for size in sys.argv[1:] or DEFAULT_SIZES:
        print(f"== size {size} (people, posts, events)", flush=True)
        child = subprocess.Popen(
            [sys.executable, "-u", __file__, "--one", size], stdout=subprocess.PIPE, text=True
        )
        result = None
        for line in child.stdout:  # the world build's progress, as it comes
            if line.startswith("RESULT "):
                result = json.loads(line[len("RESULT ") :])
            else:
                print(line, end="", flush=True)
        if child.wait() or result is None:
            sys.exit(f"size {size} failed")
        runs.append(result)
    report(runs)


if __name__ == "__main__":
    main()
