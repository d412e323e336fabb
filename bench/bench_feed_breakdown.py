"""Where one home page's time goes, beside its floor, in-process on the bench world.

    .venv/bin/python bench/bench_feed_breakdown.py [people]

For each of `people` bench people (default 200), one first page of /api/timeline/home/
without precomputed candidates, one with them, and the next page, through Django's test
client (middleware, authentication, the view). Each request's time is split into the
database (every query, timed by an execute wrapper), fold-in and retrieval, the rest of the
ranking, and JSON rendering; the rest is Django, DRF and our own Python (beside the total,
the CPU this process spent: the rest of the wall time is waiting for PostgreSQL and Redis).
The chronological arm's first pages (the control: no model, its own statements,
feeds.chronological_page) are reported apart. The floor of a page: the same number of
`SELECT 1` round trips and rendering 20 fixed dicts with orjson.
"""

import os
import statistics
import sys
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_home_feed import prepare
from world import setup_django


class Timer:
    def __init__(self):
        self.seconds = 0.0
        self.calls = 0

    def wrap(self, function):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
                self.calls += 1

        return timed


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    setup_django()
    import orjson
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from accounts.models import User
    from feeds import api_timeline, candidates, serving, snapshot
    from feeds.experiments import assign

    # Ordinary people: past the first ones, whose histories are the longest (BREAKDOWN_SKIP).
    skip = int(os.environ.get("BREAKDOWN_SKIP", "40000"))  # for the 200,000-person world
    people, tokens = prepare(count, skip=skip)
    if not people:
        sys.exit(
            f"No bench people past the first {skip:,} (BREAKDOWN_SKIP): on a smaller world set "
            "it lower, e.g. BREAKDOWN_SKIP=2500 for the 5,000-person one."
        )
    serving.current_model()
    ranked_kinds = ("first page, nothing precomputed", "first page, precomputed", "next page")
    # The chronological arm (the control) has no model to time: reported apart.
    chronological_kinds = ("first page, chronological arm",)
    kinds = ranked_kinds + chronological_kinds
    results = {kind: [] for kind in kinds}
    client = Client()
    fixed = [{"id": n, "text": "x" * 120, "author": {"username": "someone"}} for n in range(20)]
    with override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
        for person, token in zip(people, tokens, strict=True):
            headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
            last = {}
            ranked = assign(User.objects.get(pk=person)).is_ranked
            for kind in ranked_kinds if ranked else chronological_kinds:
                if kind == "first page, nothing precomputed":
                    # An earlier bench run (within FEED_CANDIDATES_SECONDS) may have stored it.
                    candidates.forget(serving.current_model().version_id, [person])
                if kind == "first page, precomputed":
                    candidates.precompute([person])
                timers = {name: Timer() for name in ("db", "db_in_rank", "model", "rank", "json")}
                ranking_now = [False]

                def database(execute, sql, params, many, context, timers=timers, flag=ranking_now):
                    started = time.perf_counter()
                    try:
                        return execute(sql, params, many, context)
                    finally:
                        spent = time.perf_counter() - started
                        timers["db"].seconds += spent
                        timers["db"].calls += 1
                        if flag[0]:
                            timers["db_in_rank"].seconds += spent

                def rank_flagged(*args, original, flag=ranking_now, **kwargs):
                    flag[0] = True
                    try:
                        return original(*args, **kwargs)
                    finally:
                        flag[0] = False

                with ExitStack() as stack:
                    stack.enter_context(connection.execute_wrapper(database))
                    for module, name, timer in (
                        (candidates, "compute", timers["model"]),
                        (snapshot, "rank_home", timers["rank"]),
                        (api_timeline.orjson, "dumps", timers["json"]),
                    ):
                        original = getattr(module, name)
                        setattr(module, name, timer.wrap(original))
                        stack.callback(setattr, module, name, original)
                    timed_rank = snapshot.rank_home
                    snapshot.rank_home = lambda *a, timed=timed_rank, **k: rank_flagged(
                        *a, original=timed, **k
                    )
                    url = "/api/timeline/home/?page_size=20"
                    if kind == "next page":
                        if not last.get("next"):
                            continue
                        url = last["next"].split("testserver", 1)[1]
                    started = time.perf_counter()
                    cpu = time.thread_time()
                    response = client.get(url, **headers)
                    total = time.perf_counter() - started
                    timers["cpu"] = time.thread_time() - cpu
                assert response.status_code == 200, response.content[:300]
                last = response.json() if response.json().get("next") else last
                results[kind].append((total, timers))
    floors = []
    for kind in kinds:
        rows = results[kind]
        if not rows:
            continue
        queries = statistics.median(t["db"].calls for _, t in rows)
        with connection.cursor() as cursor:
            started = time.perf_counter()
            for _ in range(int(queries)):
                cursor.execute("SELECT 1")
                cursor.fetchone()
            orjson.dumps({"results": fixed})
            floors.append((kind, queries, time.perf_counter() - started))

        def ms(values):
            return f"{statistics.median(values) * 1000:6.2f}"

        total = [t for t, _ in rows]
        db = [t["db"].seconds for _, t in rows]
        model = [t["model"].seconds for _, t in rows]
        rank = [t["rank"].seconds - t["model"].seconds - t["db_in_rank"].seconds for _, t in rows]
        json = [t["json"].seconds for _, t in rows]
        other = [a - b - c - d for a, b, c, d in zip(total, db, rank, json, strict=True)]
        print(
            f"{kind:<32} median ms: total {ms(total)} (this process's CPU"
            f" {ms([t['cpu'] for _, t in rows])}) | queries {queries:.0f}: {ms(db)} |"
            f" fold-in+retrieval {ms(model)} | ranking (less its queries) {ms(rank)} |"
            f" json {ms(json)} | Django/DRF/ours {ms(other)}"
        )
    for kind, queries, seconds in floors:
        print(f"floor of '{kind}': {queries:.0f} x SELECT 1 + 20 dicts: {seconds * 1000:.2f} ms")


if __name__ == "__main__":
    main()
