"""Home feed API under gunicorn with the model loaded, against a trivial view.

    .venv/bin/python bench/bench_home_feed.py [seconds]

Needs an active feed model in the bench database (run bench/bench_retrain.py first). Serves
the bench database with gunicorn as the entrypoint runs it (2 workers x 4 threads); load
from 2 separate processes x 16 keep-alive connections. Each request asks for the first page
of /api/timeline/home/ of a different person, so every request ranks a fresh snapshot (the
worst case: scrolling pages come from the cached snapshot). A second load reads visits: each
connection opens a person's home and scrolls VISIT_PAGES pages by following `next`, as
people do. The same run measures /livez (a trivial JSON view) as the ceiling, and the
fold-in of one person's events in-process.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from load import run_load
from server import Gunicorn
from world import setup_django

PEOPLE = 2000  # precomputed; the worst case asks a further WORST_PEOPLE, once each
WORST_PEOPLE = 5000
VISIT_PAGES = 5  # a visit: the first page and four more
THREADS = 16  # load connections per process


def prepare(count: int, *, skip: int = 0):
    from accounts.models import User
    from accounts.tokens import token_issue

    people = list(
        User.objects.filter(username__startswith="bench")
        .order_by("id")
        .values_list("id", flat=True)[skip : skip + count]
    )
    tokens = [token_issue(user=User(pk=pk)).raw for pk in people]
    return people, tokens


def retrieval_figures(people) -> dict:
    """Recall of the exact top 200 and the time of one index query, in-process."""
    import numpy as np

    from feeds import retrieval, serving

    served = serving.current_model()
    histories = serving.histories(people[:500], served.weights)
    exact_source = retrieval.ExactSource(served.model.post_ids, served.model.item_factors)
    recalls, times = [], []
    for history in histories.values():
        vector = serving.fold_in(served, history.confidences)
        if vector is None:
            continue
        exclude = set(history.confidences)
        exact = retrieval.retrieve(vector, [exact_source], exclude=exclude, limit=200)
        truth = {post for post, _ in exact}
        started = time.perf_counter()
        found = retrieval.retrieve(vector, served.sources(), exclude=exclude, limit=200)
        times.append((time.perf_counter() - started) * 1000)
        recalls.append(len(truth & {p for p, _ in found}) / max(len(truth), 1))
    return {
        "people": len(recalls),
        "recall": float(np.mean(recalls)),
        "recall_p5": float(np.percentile(recalls, 5)),
        "p50_ms": float(np.percentile(times, 50)),
        "p99_ms": float(np.percentile(times, 99)),
    }


def fold_in_ms(people) -> float:
    from feeds import serving

    served = serving.current_model()
    serving.user_vector(served, people[0])  # load the model once
    timings = []
    for person in people[:200]:
        started = time.perf_counter()
        serving.user_vector(served, person)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), sorted(timings)[int(0.99 * len(timings))]


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 15
    setup_django()
    from feeds.registry import active_version

    version = active_version()
    if version is None:
        sys.exit("no active feed model in the bench database: run bench/bench_retrain.py first")
    print(f"load average at start: {'/'.join(f'{x:.2f}' for x in os.getloadavg())}")
    people, tokens = prepare(PEOPLE)
    worst_people, worst_tokens = prepare(WORST_PEOPLE, skip=PEOPLE)
    fold_median, fold_p99 = fold_in_ms(people)
    index = retrieval_figures(people)
    from feeds import candidates

    # The worst case must find nothing stored, though an earlier run may have stored some.
    candidates.forget(version.pk, worst_people)
    started = time.perf_counter()
    stored = candidates.precompute(people)
    precompute_s = time.perf_counter() - started

    first_page = "/api/timeline/home/?page_size=20"

    def first_pages(keys):
        def home(process):
            def request(n, last=None):
                token = keys[(n * 2 + process) % len(keys)]
                return "GET", first_page, None, {"Authorization": f"Bearer {token}"}

            return request

        return home

    home = first_pages(tokens)

    def visits(process):
        """Each connection is one person at a time: a first page, then `next` links."""

        def request(n, last=None):
            visit, page = divmod(n // THREADS, VISIT_PAGES)
            token = tokens[((visit * THREADS + n % THREADS) * 2 + process) % len(tokens)]
            link = json.loads(last).get("next") if page and last else None
            path = link.split("://", 1)[-1].partition("/")[2] if link else first_page[1:]
            return "GET", f"/{path}", None, {"Authorization": f"Bearer {token}"}

        return request

    def trivial(process):
        return lambda n, last=None: ("GET", "/livez", None, {})

    from django.db import connection

    connection.close()
    with Gunicorn(env={"THROTTLE_USER": "1000000/min"}) as server:
        # Warm up: every worker loads the model.
        run_load(server.url, home, seconds=3, threads=THREADS)
        ceiling = run_load(server.url, trivial, seconds=seconds, threads=THREADS)
        feed = run_load(server.url, home, seconds=seconds, threads=THREADS)
        worst = run_load(server.url, first_pages(worst_tokens), seconds=seconds, threads=THREADS)
        scrolling = run_load(server.url, visits, seconds=seconds, threads=THREADS)
    print(f"model: v{version.pk}, {version.users:,} people x {version.items:,} posts")
    print(
        f"index: recall of the exact top 200 {index['recall']:.4f} (5th percentile"
        f" {index['recall_p5']:.3f}) over {index['people']} people; query p50"
        f" {index['p50_ms']:.2f} ms, p99 {index['p99_ms']:.2f} ms"
    )
    print(f"precomputed {stored:,} people's candidates in {precompute_s:.1f} s")
    rows = (
        ("trivial /livez (ceiling)", ceiling, 1),
        ("home, first pages, precomputed", feed, 0.06),
        ("home, first pages, nothing precomputed", worst, 0.06),
        (f"home, visits of {VISIT_PAGES} pages", scrolling, 0.15),
    )
    for name, result, target in rows:
        print(
            f"{name:<40}: {result['rps']:7.0f} req/s  p50 {result['p50_ms']:6.1f} ms"
            f"  p99 {result['p99_ms']:6.1f} ms  errors {result['errors']}"
            f"  ratio {result['rps'] / ceiling['rps']:.3f} (target >= {target})"
        )
    print(f"fold-in of one person's events: median {fold_median:.2f} ms, p99 {fold_p99:.2f} ms")


if __name__ == "__main__":
    main()
