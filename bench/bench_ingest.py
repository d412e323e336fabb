"""Event ingestion: events per second through POST /api/events/ in batches of 50.

    .venv/bin/python bench/bench_ingest.py [seconds]

gunicorn (2 workers x 4 threads, as the entrypoint runs it) serves the bench database; the
load comes from separate processes on the same machine (2 processes x 16 keep-alive
connections). The per-person event throttle is raised for the run (THROTTLE_EVENTS), since
the point is the server's capacity, not the limit. Prints events/s, p50 and p99 latency.
"""

import itertools
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from load import json_request, run_load
from server import Gunicorn
from world import setup_django

BATCH = 50
PEOPLE = 64


def prepare() -> tuple[list[str], list[int]]:
    from django.contrib.auth import get_user_model

    from accounts.tokens import token_issue
    from social.models import Post

    User = get_user_model()
    tokens = []
    for n in range(PEOPLE):
        user, _ = User.objects.get_or_create(username=f"ingest{n}")
        tokens.append(token_issue(user=user).raw)
    post_ids = list(Post.objects.order_by("-id").values_list("id", flat=True)[:2000])
    if not post_ids:
        author = User.objects.get(username="ingest0")
        post_ids = [Post.objects.create(author=author, text=f"post {i}").pk for i in range(200)]
    return tokens, post_ids


def requests_for(tokens, post_ids):
    run = uuid.uuid4().hex[:8]

    def make(process):
        keys = itertools.count()

        def request(n, last=None):
            token = tokens[(n * 7 + process) % len(tokens)]
            events = []
            for i in range(BATCH):
                key = next(keys)
                post = post_ids[(n * BATCH + i) % len(post_ids)]
                if i % 2:
                    item = {"kind": "impression", "post": post, "surface": "home", "position": i}
                else:
                    item = {"kind": "dwell", "post": post, "dwell_ms": 1500 + i, "surface": "home"}
                item["key"] = f"bench-{run}-{process}-{key}"
                events.append(item)
            return json_request("POST", "/api/events/", {"events": events}, token)

        return request

    return make


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 15
    setup_django()
    tokens, post_ids = prepare()
    from django.db import connection

    connection.close()
    try:
        with Gunicorn(env={"THROTTLE_EVENTS": "1000000/min"}) as server:
            run_load(server.url, requests_for(tokens, post_ids), seconds=2)  # warm up
            result = run_load(server.url, requests_for(tokens, post_ids), seconds=seconds)
    finally:
        # Leave the generated world as it was, so other benchmarks can reuse it.
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM analytics_event WHERE client_key LIKE 'bench-%%'")
    events = result["rps"] * BATCH
    print(f"requests: {result['requests']:,} in {seconds:g} s, errors: {result['errors']}")
    print(f"events/s: {events:,.0f}  (batches of {BATCH}; {result['rps']:.0f} requests/s)")
    print(f"latency: p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms")


if __name__ == "__main__":
    main()
