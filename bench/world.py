"""A generated world for benchmarks, made with set-based SQL in its own PostgreSQL database.

Usage from a benchmark: `ensure_world(users=..., posts=..., events=...)` after `setup_django()`.
The database is BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/flywheel_bench);
it is created and migrated if missing, and the world is rebuilt only when its size differs.
"""

import os
import sys
import time

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/flywheel_bench"
TOPIC_SHARE = 0.8  # of a person's events on their own topic, in a world with topics


def setup_django() -> str:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flywheel.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-" + "x7Qp" * 16)
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # Benchmark models stay apart from a developer's own var/models.
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.environ.setdefault("MODEL_ROOT", os.path.join(repo, "var", "bench-models"))
    # Production-like: throttles and snapshots in Redis, not the embedded file cache.
    os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/11")
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/10")
    _create_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def _create_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def step(message: str):
    print(f"  {message}...", end="", flush=True)
    return time.perf_counter()


def done(started: float) -> None:
    print(f" {time.perf_counter() - started:.1f} s", flush=True)


def render_posts_html() -> None:
    """Posts keep their text as HTML, rendered when written (social.text_html): the world's
    posts, written by SQL, get theirs here rather than on their first showing."""
    from social.text_html import render_missing

    started = step("posts' text as HTML")
    rendered = render_missing()
    done(started)
    if rendered:
        print(f"  {rendered:,} posts rendered")


def ensure_world(*, users: int, posts: int, events: int, topics: int = 0) -> None:
    """Make the bench database hold exactly this many users, posts and events."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_user WHERE username LIKE 'bench%%'")
        have_users = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM social_post")
        have_posts = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM analytics_event")
        have_events = cursor.fetchone()[0]
    if (have_users, have_posts, have_events) == (users, posts, events):
        print(f"world: {users:,} users, {posts:,} posts, {events:,} events (reused)")
        render_posts_html()
        return
    print(f"world: building {users:,} users, {posts:,} posts, {events:,} events")
    with connection.cursor() as cursor:
        started = step("emptying")
        cursor.execute(
            "TRUNCATE analytics_event, social_post, accounts_user RESTART IDENTITY CASCADE"
        )
        done(started)
        started = step(f"{users:,} users")
        cursor.execute(
            """
            INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name,
                email, is_staff, is_active, date_joined, display_name, bio, avatar, age_bracket,
                region, interests, is_bot, personalised_feed, personalised_ads)
            SELECT '!', false, 'bench' || g, '', '', '', false, true, now(), '', '', '', '',
                '', '[]'::jsonb, true, true, true
            FROM generate_series(1, %s) g
            """,
            [users],
        )
        done(started)
        started = step(f"{posts:,} posts")
        cursor.execute(
            """
            INSERT INTO social_post (author_id, text, image, created_at, is_hidden, like_count,
                share_count, comment_count)
            SELECT 1 + (g::bigint * 7919) %% %s, 'post ' || g, '', now() - interval '1 day', false,
                0, 0, 0
            FROM generate_series(1, %s) g
            """,
            [users, posts],
        )
        done(started)
        render_posts_html()
        started = step(f"{events:,} events")
        append_events(
            cursor, users=users, posts=posts, count=events, spread="30 days", topics=topics
        )
        done(started)
        started = step("analyse")
        cursor.execute("ANALYZE accounts_user, social_post, analytics_event")
        done(started)


def append_events(
    cursor, *, users: int, posts: int, count: int, spread: str, topics: int = 0
) -> None:
    """`count` events of the bench mix, at times spread over the last `spread` (a PostgreSQL
    interval). Popularity is skewed like real feeds: a few posts get most of the attention.
    With `topics`, person u and post p belong to topic u % topics and (p - 1) % topics, and
    TOPIC_SHARE of a person's events are on their topic's posts: tastes a model can learn."""
    chunk = 2_000_000
    on_topic = TOPIC_SHARE if topics else 0.0
    per_topic = posts // topics if topics else 1
    for offset in range(0, count, chunk):
        size = min(chunk, count - offset)
        cursor.execute(
            """
            INSERT INTO analytics_event (kind, user_id, post_id, dwell_ms, surface, arm,
                query, created_at)
            SELECT k.kind, k.user_id,
                CASE WHEN random() < %(on_topic)s
                    THEN 1 + k.user_id %% %(topics)s
                        + %(topics)s * floor((%(per_topic)s - 1) * power(random(), 2.5))::int
                    ELSE 1 + floor(%(posts)s * power(random(), 2.5))::int END,
                CASE WHEN k.kind = 2 THEN (random() * 60000)::int END, 'home', '', '',
                now() - random() * %(spread)s::interval
            FROM (
                SELECT 1 + floor(%(users)s * power(random(), 1.5))::int AS user_id, CASE
                    WHEN r < 0.45 THEN 1 WHEN r < 0.70 THEN 2 WHEN r < 0.82 THEN 4
                    WHEN r < 0.88 THEN 3 WHEN r < 0.92 THEN 6 WHEN r < 0.96 THEN 8
                    WHEN r < 0.98 THEN 5 ELSE 7 END AS kind
                FROM (SELECT random() AS r FROM generate_series(1, %(size)s)) AS draws
            ) AS k
            """,
            {
                "users": users,
                "posts": posts,
                "topics": max(topics, 1),
                "per_topic": per_topic,
                "on_topic": on_topic,
                "spread": spread,
                "size": size,
            },
        )
        print(".", end="", flush=True)


def peak_memory_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    setup_django()
    sizes = (
        [int(x) for x in sys.argv[1:4]] if len(sys.argv) >= 4 else [200_000, 1_000_000, 10_000_000]
    )
    ensure_world(users=sizes[0], posts=sizes[1], events=sizes[2])
