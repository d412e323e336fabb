"""Home feed API under gunicorn with the model loaded, against a trivial view.

    .venv/bin/python bench/bench_home_feed.py [seconds]

Needs an active feed model in the bench database (run bench/bench_retrain.py first). Serves
the bench database with gunicorn as the entrypoint runs it (2 workers x 4 threads); load
from 2 separate processes x 16 keep-alive connections. Each request asks for the first page
of /api/timeline/home/ of a different person, so every request ranks a fresh snapshot (the
worst case: scrolling pages come from the cached snapshot). The same run measures /livez
(a trivial JSON view) as the ceiling, and the fold-in of one person's events in-process.
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from load import run_load
from server import Gunicorn
from world import setup_django

PEOPLE = 2000


def prepare() -> list[str]:
    from django.db.models import Count
    from rest_framework.authtoken.models import Token

    from accounts.models import User

    people = list(
        User.objects.filter(username__startswith="bench", events__kind=4)
        .annotate(n=Count("events"))
        .order_by("id")
        .values_list("id", flat=True)[:PEOPLE]
    )
    tokens = [Token.objects.get_or_create(user_id=pk)[0].key for pk in people]
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

    def home(process):
        def request(n):
            token = tokens[(n * 2 + process) % len(tokens)]
            headers = {"Authorization": f"Token {token}"}
            return "GET", "/api/timeline/home/?page_size=20", None, headers

        return request

    def trivial(process):
        return lambda n: ("GET", "/livez", None, {})

    from django.db import connection

    connection.close()
    with Gunicorn(env={"THROTTLE_USER": "1000000/min"}) as server:
        run_load(server.url, home, seconds=3)  # warm up: every worker loads the model
        feed = run_load(server.url, home, seconds=seconds)
        ceiling = run_load(server.url, trivial, seconds=seconds)
    print(f"model: v{version.pk}, {version.users:,} people x {version.items:,} posts")
    print(
        f"trivial /livez      : {ceiling['rps']:8.0f} req/s  p50 {ceiling['p50_ms']:6.1f} ms"
        f"  p99 {ceiling['p99_ms']:6.1f} ms  errors {ceiling['errors']}"
    )
    print(
        f"/api/timeline/home/ : {feed['rps']:8.0f} req/s  p50 {feed['p50_ms']:6.1f} ms"
        f"  p99 {feed['p99_ms']:6.1f} ms  errors {feed['errors']}"
    )
    print(f"ratio home / trivial: {feed['rps'] / ceiling['rps']:.2f}  (target >= 0.35)")
    print(f"fold-in of one person's events: median {fold_median:.2f} ms, p99 {fold_p99:.2f} ms")


if __name__ == "__main__":
    main()
