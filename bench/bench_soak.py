"""Soak test: the bots' mix of reads and writes, plus sign-ups, for 10 minutes against the
whole site (gunicorn, a Celery worker and beat, started with docker/entrypoint.sh as in
production) on PostgreSQL and Redis, with a feed training and a rollup in the middle.

    .venv/bin/python bench/bench_soak.py [minutes] [users]

Load comes from Locust (bench/soak_locustfile.py), headless, in its own process. Afterwards
the soak checks what a user and an operator would:
- no answer of 500 or above (Locust's failures and the count of 5xx in gunicorn's access log);
- no lost write: every like, share, comment, follow, post and sign-up the site acknowledged
  is in the database;
- memory flat: each process's private memory (its heap and arrays, bench/process_memory.py)
  at the end within 10% of its value once warm (after the first fifth of the run), sampled
  every 5 s; resident memory, with the shared file pages it maps, is printed beside it;
- the training queued in the middle finished, and rollups ran during the soak.
The database is SOAK_DATABASE_URL (default flywheel_bench_soak), rebuilt on every run so the
counts start from a known world.
"""

import csv
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).parent))
from process_memory import anonymous_bytes

REPO = Path(__file__).resolve().parents[1]
SOAK_URL = "postgres://postgres@127.0.0.1:5432/flywheel_bench_soak"
PORT = 8767
SEED_BOTS = 300
WARM_SHARE = 0.2  # memory is compared with its value after this share of the run
MEMORY_TOLERANCE = 0.10
RESIDENT, PRIVATE = 0, 1  # the two measures of each memory sample


def prepare_environment() -> dict:
    import psycopg

    url = os.environ.get("SOAK_DATABASE_URL", SOAK_URL)
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    models = Path(tempfile.mkdtemp(prefix="soak-models-"))
    os.environ["BENCH_DATABASE_URL"] = url
    overrides = {
        "MODEL_ROOT": str(models),
        "MEDIA_ROOT": str(models / "media"),
        "CACHE_URL": "redis://127.0.0.1:6379/11",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/10",
        # Every Locust user comes from 127.0.0.1: the per-address limits are for the open
        # internet, not for one load generator standing in for many people.
        "THROTTLE_SIGNUP": "100000/hour",
        "THROTTLE_ANON": "100000/min",
        "THROTTLE_USER": "100000/min",
        "THROTTLE_EVENTS": "100000/min",
        "FEED_ALS_FACTORS": "16",
        "FEED_RETRAIN_AFTER_EVENTS": "20000",
        "FEED_RETRAIN_MIN_INTERVAL": "240",
        "MIGRATE_ON_START": "0",
        "PYTHON": sys.executable,
        "BIND": f"127.0.0.1:{PORT}",
        "WEB_WORKERS": "2",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(overrides)
    # A rebuilt database reuses ids, so counts kept by id (rate limits) and queued tasks
    # from an earlier run must go too.
    import redis

    for url in (overrides["CACHE_URL"], overrides["CELERY_BROKER_URL"]):
        redis.Redis.from_url(url).flushdb()
    from world import setup_django

    setup_django()
    return {**os.environ}


def seed_world() -> list[dict]:
    from django.core.management import call_command

    from accounts.models import User
    from accounts.tokens import token_issue

    print(f"  seeding {SEED_BOTS} bots and training a first model...", flush=True)
    call_command("seed_world", bots=SEED_BOTS, no_progress=True, verbosity=0)
    call_command("retrain", "feeds", verbosity=0)
    people = User.objects.filter(bot__isnull=False).order_by("id")
    return [{"username": u.username, "token": token_issue(user=u).raw} for u in people]


class Processes:
    """web, worker and beat through docker/entrypoint.sh, each in its own process group."""

    def __init__(self, env: dict, logs: Path):
        self.env, self.logs, self.started = env, logs, {}

    def __enter__(self):
        for role in ("web", "worker", "beat"):
            log = open(self.logs / f"{role}.log", "wb")
            self.started[role] = subprocess.Popen(
                ["bash", "docker/entrypoint.sh", role],
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/livez", timeout=1).read()
                return self
            except OSError:
                time.sleep(0.5)
        self.__exit__()
        raise RuntimeError("the site did not start; see " + str(self.logs))

    def tree(self) -> dict[str, psutil.Process]:
        """Every process of every role, by a stable label (role, pid)."""
        found = {}
        for role, popen in self.started.items():
            try:
                root = psutil.Process(popen.pid)
                for process in [root, *root.children(recursive=True)]:
                    if "python" in " ".join(process.cmdline()[:1]).lower():
                        found[f"{role} {process.pid}"] = process
            except psutil.NoSuchProcess:
                continue
        return found

    def __exit__(self, *exc):
        for popen in self.started.values():
            if popen.poll() is None:
                os.killpg(popen.pid, signal.SIGTERM)
        for popen in self.started.values():
            try:
                popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(popen.pid, signal.SIGKILL)


class MemorySampler(threading.Thread):
    def __init__(self, processes: Processes, every: float = 5.0):
        super().__init__(daemon=True)
        self.processes, self.every, self.samples = processes, every, []
        self.stop = threading.Event()

    def run(self):
        started = time.monotonic()
        while not self.stop.wait(self.every):
            sample = {}
            for label, process in self.processes.tree().items():
                try:
                    sample[label] = (process.memory_info().rss, anonymous_bytes(process.pid))
                except (psutil.NoSuchProcess, FileNotFoundError):
                    continue
            self.samples.append((time.monotonic() - started, sample))


def queue_training() -> None:
    """Queue a feed training for the worker, as the staff button on /staff/models/ does."""
    from feeds import registry
    from feeds.models import ModelKind

    registry.trainer(ModelKind.FEED_ALS).training_request(
        kind=ModelKind.FEED_ALS, triggered_by="soak"
    )


def rollup_now() -> None:
    from flywheel.celery import app

    app.send_task("analytics.rollup_late")


def run_locust(minutes: float, users: int, tokens: Path, ledger: Path, out: Path) -> None:
    subprocess.run(
        [
            sys.executable, "-m", "locust", "-f", str(REPO / "bench" / "soak_locustfile.py"),
            "--headless", "--users", str(users), "--spawn-rate", str(max(users // 10, 1)),
            "--run-time", f"{int(minutes * 60)}s", "--host", f"http://127.0.0.1:{PORT}",
            "--csv", str(out / "locust"), "--only-summary", "--loglevel", "WARNING",
        ],
        env={**os.environ, "SOAK_TOKENS": str(tokens), "SOAK_LEDGER": str(ledger)},
        check=False,
    )  # fmt: skip


def memory_verdicts(
    samples, measure: int = PRIVATE
) -> list[tuple[str, float, float, float, float]]:
    """(process, warm MB, end MB, change from warm, change over the last quarter) for each
    process alive from warm to end, of one measure (PRIVATE or RESIDENT). The last quarter
    comes after the mid-run training: a step at the training with a flat line after it is a
    loaded model, a slope is a leak."""
    if not samples:
        return []
    duration = samples[-1][0]
    warm = next(sample for at, sample in samples if at >= duration * WARM_SHARE)
    late = next(sample for at, sample in samples if at >= duration * 0.75)
    end = samples[-1][1]
    rows = []
    for label in sorted(set(warm) & set(late) & set(end)):
        start, middle, last = warm[label][measure], late[label][measure], end[label][measure]
        rows.append((label, start / 2**20, last / 2**20, last / start - 1, last / middle - 1))
    return rows


def save_samples(samples, path: Path) -> None:
    labels = sorted({label for _, sample in samples for label in sample})
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["seconds", *(f"{label} {kind}" for label in labels for kind in ("rss", "private"))]
        )
        for at, sample in samples:
            values = [sample.get(label, ("", ""))[kind] for label in labels for kind in (0, 1)]
            writer.writerow([round(at), *values])


def lost_writes(ledger: Path) -> dict[str, tuple[int, int]]:
    """kind -> (acknowledged, found in the database)."""
    from django.db.models import Q

    from accounts.models import User
    from social.models import Comment, Follow, Like, Post, Share

    entries: dict[str, list[dict]] = {}
    for line in ledger.read_text().splitlines():
        entry = json.loads(line)
        entries.setdefault(entry["kind"], []).append(entry)
    users = dict(User.objects.values_list("username", "id"))
    result = {}

    def pairs(kind, model, left, right, right_of):
        wanted = {(users.get(e["username"]), right_of(e)) for e in entries.get(kind, [])}
        query = Q()
        for user_id, other in wanted:
            query |= Q(**{left: user_id, right: other})
        found = model.objects.filter(query).count() if wanted else 0
        result[kind] = (len(wanted), found)

    pairs("like", Like, "user_id", "post_id", lambda e: e["post"])
    pairs("share", Share, "user_id", "post_id", lambda e: e["post"])
    pairs("follow", Follow, "follower_id", "followee_id", lambda e: users.get(e["followee"]))
    for kind, model in (("post", Post), ("comment", Comment)):
        ids = {e["id"] for e in entries.get(kind, [])}
        result[kind] = (len(ids), model.objects.filter(id__in=ids).count())
    names = {e["username"] for e in entries.get("signup", [])}
    result["signup"] = (len(names), User.objects.filter(username__in=names).count())
    return result


def server_errors(logs: Path, out: Path) -> tuple[int, int, int]:
    """(requests, answers refused (4xx but 429), server failures): a server failure is a 5xx
    in gunicorn's access log or a request Locust could not complete (no answer at all)."""
    total = refused = unanswered = 0
    with open(out / "locust_stats.csv") as stats:
        for row in csv.DictReader(stats):
            if row["Name"] == "Aggregated":
                total = int(row["Request Count"])
    with open(out / "locust_failures.csv") as failures:
        for row in csv.DictReader(failures):
            if row["Error"].startswith("4"):
                refused += int(row["Occurrences"])
            elif not row["Error"].startswith("5"):  # 5xx are counted from the access log
                unanswered += int(row["Occurrences"])
    access = (logs / "web.log").read_text(errors="replace")
    return total, refused, unanswered + len(re.findall(r'" 5\d\d ', access))


def main() -> int:
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 10
    users = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    print(f"Soak: {minutes:g} minutes, {users} Locust users")
    env = prepare_environment()
    people = seed_world()
    out = Path(tempfile.mkdtemp(prefix="soak-"))
    tokens, ledger = out / "tokens.json", out / "ledger.jsonl"
    tokens.write_text(json.dumps(people))
    ledger.touch()

    from feeds.models import ModelVersion
    from feeds.registry import State

    before = ModelVersion.objects.count()
    with Processes(env, out) as processes:
        sampler = MemorySampler(processes)
        sampler.start()
        middle = threading.Timer(minutes * 30, lambda: (queue_training(), rollup_now()))
        middle.start()
        print(f"  load running; progress in {out}/locust_stats.csv", flush=True)
        run_locust(minutes, users, tokens, ledger, out)
        middle.cancel()
        sampler.stop.set()
        time.sleep(5)  # let the worker finish writes it was acknowledged for

    total, refused, failed = server_errors(out, out)
    versions = ModelVersion.objects.filter(pk__gt=0).order_by("pk")[before:]
    trained = [v for v in versions if v.state in (State.ACTIVE, State.READY, State.REJECTED)]
    print(f"\nrequests {total:,}; refused (4xx but 429) {refused}; server failures {failed}")
    print("writes acknowledged / found in the database:")
    lost = 0
    for kind, (acknowledged, found) in lost_writes(ledger).items():
        lost += acknowledged - found
        print(f"  {kind:8} {acknowledged:6,} / {found:,}")
    states = ", ".join(v.state for v in trained)
    print(f"trainings finished during the soak: {len(trained)} ({states})")
    save_samples(sampler.samples, out / "memory.csv")
    print(
        "memory, warm -> end, and over the last quarter (after the training): private"
        " (judged), then resident (with the shared file pages it has touched)"
    )
    flat = True
    resident = {row[0]: row for row in memory_verdicts(sampler.samples, RESIDENT)}
    for label, warm, end, change, late_change in memory_verdicts(sampler.samples):
        ok = abs(change) <= MEMORY_TOLERANCE
        flat &= ok
        verdict = "ok" if ok else "NOT FLAT"
        _, rss_warm, rss_end, rss_change, _ = resident[label]
        print(
            f"  {label:18} {warm:7.1f} MB -> {end:7.1f} MB  {change:+6.1%}  {verdict}"
            f"  (last quarter {late_change:+.1%});"
            f"  resident {rss_warm:7.1f} -> {rss_end:7.1f} MB {rss_change:+6.1%}"
        )
    passed = failed == 0 and lost == 0 and flat and bool(trained)
    print("PASSED" if passed else "FAILED", f"(logs and Locust figures in {out})")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
