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
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from load import run_load
from server import Gunicorn
from world import setup_django

PEOPLE = 2000
VISIT_PAGES = 5  # a visit: the first page and four more
THREADS = 16  # load connections per process


def prepare() -> list[str]:
    from django.db.models import Count

    from accounts.models import User
    from accounts.tokens import token_issue

    people = list(
        User.objects.filter(username__startswith="bench", events__kind=4)
        .annotate(n=Count("events"))
        .order_by("id")
        .values_list("id", flat=True)[:PEOPLE]
    )
    tokens = [token_issue(user=User(pk=pk)).raw for pk in people]
    return people, tokens


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
    people, tokens = prepare()
    fold_median, fold_p99 = fold_in_ms(people)

    first_page = "/api/timeline/home/?page_size=20"

    def home(process):
        def request(n, last=None):
            token = tokens[(n * 2 + process) % len(tokens)]
            return "GET", first_page, None, {"Authorization": f"Bearer {token}"}

        return request

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
        feed = run_load(server.url, home, seconds=seconds, threads=THREADS)
        scrolling = run_load(server.url, visits, seconds=seconds, threads=THREADS)
        ceiling = run_load(server.url, trivial, seconds=seconds, threads=THREADS)
    print(f"model: v{version.pk}, {version.users:,} people x {version.items:,} posts")
    rows = (
        ("trivial /livez (ceiling)", ceiling),
        ("home, first pages", feed),
        (f"home, visits of {VISIT_PAGES} pages", scrolling),
    )
    for name, result in rows:
        print(
            f"{name:<26}: {result['rps']:7.0f} req/s  p50 {result['p50_ms']:6.1f} ms"
            f"  p99 {result['p99_ms']:6.1f} ms  errors {result['errors']}"
            f"  ratio {result['rps'] / ceiling['rps']:.2f} (target >= 0.35)"
        )
    print(f"fold-in of one person's events: median {fold_median:.2f} ms, p99 {fold_p99:.2f} ms")


if __name__ == "__main__":
    main()
