import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from events.models import Event, EventKind
from feeds.matrix import MatrixWeights, build_interaction_matrix, copy_ids
from tests.analytics.matrix_world import build_world

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]


def as_dict(result, ids) -> dict:
    names = {v: k for k, v in ids["people"].items()}
    posts = {v: k for k, v in ids["posts"].items()}
    coo = result.matrix.tocoo()
    return {
        (names[int(result.user_ids[r])], posts[int(result.post_ids[c])]): round(float(v), 4)
        for r, c, v in zip(coo.row, coo.col, coo.data, strict=True)
    }


def test_weights_cancellation_caps_and_exclusions():
    ids = build_world()
    result = build_interaction_matrix()
    assert as_dict(result, ids) == {
        ("ana", "p1"): 4 + 2,  # like + 10 s of dwell
        ("ana", "p2"): 6,  # share
        ("ana", "p3"): 5,  # comment
        ("ben", "p2"): 6,  # dwell capped at 30 s
        ("ben", "p3"): 4,  # like (the impression weighs nothing)
    }
    assert result.matrix.dtype == np.float32
    # people who opted out or are suspended have no row at all
    assert set(result.user_ids) == {ids["people"]["ana"], ids["people"]["ben"]}


def test_weights_are_configurable():
    ids = build_world()
    weights = MatrixWeights(like=1, share=2, comment=3, impression=0.5, dwell_per_second=0)
    matrix = as_dict(build_interaction_matrix(weights), ids)
    assert matrix[("ana", "p1")] == 1
    assert matrix[("ben", "p3")] == 1.5  # like + impression
    assert ("ben", "p2") not in matrix  # dwell weighs nothing now


def test_time_decay_halves_the_weight_of_day_old_events():
    ids = build_world()
    matrix = as_dict(build_interaction_matrix(MatrixWeights(half_life_days=1)), ids)
    assert matrix[("ben", "p3")] == 4  # the newest event: no decay
    assert matrix[("ana", "p2")] == pytest.approx(3, abs=1e-3)  # a day older: half


def test_decay_counts_from_the_newest_event_the_matrix_keeps():
    from datetime import timedelta

    ids = build_world()
    newest = Event.objects.order_by("-created_at").first()
    Event.objects.create(  # a suspended person's like, a day after everything else
        kind=EventKind.LIKE,
        user_id=ids["people"]["suspended"],
        post_id=ids["posts"]["p1"],
        created_at=newest.created_at + timedelta(days=1),
    )
    matrix = as_dict(build_interaction_matrix(MatrixWeights(half_life_days=1)), ids)
    assert matrix[("ben", "p3")] == 4  # still the newest that counts: no decay


def test_the_data_window_stops_at_an_event_id():
    ids = build_world()
    first_share = Event.objects.get(kind=EventKind.SHARE).pk
    result = build_interaction_matrix(max_event_id=first_share)
    assert result.max_event_id == first_share
    assert set(as_dict(result, ids)) == {("ana", "p1"), ("ana", "p2")}


def test_deleted_people_and_posts_leave_no_trace():
    ids = build_world()
    from accounts.models import User
    from social.models import Post

    User.objects.get(username="ben").delete()
    Post.objects.get(text="p1").delete()
    result = build_interaction_matrix()
    assert ids["people"]["ben"] not in result.user_ids
    assert ids["posts"]["p1"] not in result.post_ids


def test_an_empty_log_gives_an_empty_matrix():
    result = build_interaction_matrix()
    assert result.shape == (0, 0)
    assert result.events == 0


def test_ids_travel_as_one_array_whatever_their_number():
    from accounts.models import User

    build_world()
    everyone = sorted(User.objects.values_list("id", flat=True))
    assert sorted(copy_ids("SELECT id FROM accounts_user").tolist()) == everyone
    assert copy_ids("SELECT id FROM accounts_user WHERE false").tolist() == []
    assert copy_ids("SELECT NULL::int8 AS id UNION ALL SELECT 5").tolist() == [5]
    many = copy_ids("SELECT g AS id FROM generate_series(1, 300000) AS g")
    assert many.dtype == np.int64 and len(many) == 300_000 and many.sum() == 300_000 * 300_001 // 2


SQLITE_SCRIPT = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.analytics.matrix_world import build_world
from feeds.matrix import build_interaction_matrix, MatrixWeights
ids = build_world()
result = build_interaction_matrix(MatrixWeights(half_life_days=2, impression=0.5))
coo = result.matrix.tocoo()
names = {v: k for k, v in ids["people"].items()}
posts = {v: k for k, v in ids["posts"].items()}
print(json.dumps([[names[int(result.user_ids[r])], posts[int(result.post_ids[c])], float(v)]
                  for r, c, v in zip(coo.row, coo.col, coo.data)]))
"""


def test_postgresql_copy_and_sqlite_give_the_same_matrix(tmp_path):
    from django.db import connection

    assert connection.vendor == "postgresql"
    ids = build_world()
    expected = as_dict(
        build_interaction_matrix(MatrixWeights(half_life_days=2, impression=0.5)), ids
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(FLYWHEEL_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="flywheel.settings")
    run = subprocess.run(
        [sys.executable, "-c", SQLITE_SCRIPT],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    sqlite = {(u, p): round(v, 4) for u, p, v in json.loads(run.stdout.strip().splitlines()[-1])}
    assert sqlite == pytest.approx(expected)
    assert len(sqlite) == 5
