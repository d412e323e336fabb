"""Training through a real Celery worker on Redis and PostgreSQL.

The worker is a separate process on the test database; every test commits its data
(`transactional_db`) so the worker sees it.
"""

import os
import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from feeds import registry, training
from feeds.models import FeedArm, ModelVersion
from feeds.serving import current_model, forget_loaded_models
from feeds.tasks import train_feed_model
from social.models import Post
from tests.feeds.test_registry import run_in_threads
from tests.feeds.test_training import add_likes, make_taste_world, recommended_groups

pytestmark = pytest.mark.worker
State = ModelVersion.State
FINAL = (State.ACTIVE, State.REJECTED, State.FAILED)  # "ready" lasts an instant


@pytest.fixture
def world(transactional_db, celery_worker_process):
    forget_loaded_models()
    yield make_taste_world()
    forget_loaded_models()


def wait_for(version_id: int, states=FINAL, timeout: float = 90) -> ModelVersion:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        version = ModelVersion.objects.get(pk=version_id)
        # the cost is recorded last: once it is there, the worker is done with the run
        finished = version.state not in FINAL or version.train_seconds is not None
        if version.state in states and (finished or version.state == State.FAILED):
            return version
        time.sleep(0.1)
    raise AssertionError(f"v{version_id} still {version.state} after {timeout} s")


def trigger(**overrides) -> ModelVersion:
    """What the schedule, the data threshold and staff do: queue a run; the task is sent to
    the training queue when the transaction commits (here, at once)."""
    return training.training_request(triggered_by="test", overrides=overrides)


def pool_children(parent: int) -> list[int]:
    """Pids of the worker's pool processes (its children), from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            children.append(int(entry.name))
    return children


def test_interactions_in_an_active_model_out_that_reflects_them(world):
    version = wait_for(trigger().pk)

    assert version.state == State.ACTIVE, version.reason
    assert version.metrics["model"]["recall@20"] > version.metrics["baseline"]["recall@20"]
    assert version.train_seconds > 0 and version.peak_memory_mb > 0
    assert current_model().version_id == version.pk
    for group, people in enumerate(world.people):
        for person in people[:3]:
            assert recommended_groups(world, person).count(group) >= 9


def home_page_groups(world, person_id: int) -> tuple[list[int], list[str]]:
    """The taste group and the source of each post on the first page of the person's home
    feed, as the API serves it (this process picks the new model up by itself)."""
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=person_id))
    response = client.get(reverse("api-timeline-home"), {"page_size": 10})
    assert response.status_code == 200
    results = response.json()["results"]
    return [world.group_of_post(item["id"]) for item in results], [
        item["reason"] for item in results
    ]


def test_the_home_feed_changes_to_follow_a_model_trained_by_the_worker(world):
    FeedArm.objects.update(weight=0)  # no arm has weight: everyone gets the ranked feed
    for group, posts in enumerate(world.posts):  # many authors, so no author cap binds
        for index, post in enumerate(posts):
            author = User.objects.get_or_create(username=f"writer{group}-{index % 10}")[0]
            Post.objects.filter(pk=post).update(author=author)
    person = world.people[0][0]  # group 0's posts are the older ones: fresh shows group 1
    before, _ = home_page_groups(world, person)

    version = wait_for(trigger().pk)

    assert version.state == State.ACTIVE, version.reason
    after, reasons = home_page_groups(world, person)
    assert after != before
    assert before.count(0) <= 3, before
    assert after.count(0) >= 9, after  # their own taste group, unseen posts of it
    assert reasons.count("because people with similar taste liked it") >= 5, reasons


def test_a_gate_rejection_leaves_the_old_version_active(world):
    first = wait_for(trigger().pk)
    assert first.state == State.ACTIVE
    add_likes(world)  # new evidence, so only the baseline clause can refuse it

    second = wait_for(trigger(gate_baseline_lift=1000).pk)

    assert second.state == State.REJECTED
    assert "does not beat 1000 x the popularity baseline" in second.reason
    assert registry.active_version() == first
    forget_loaded_models()
    assert current_model().version_id == first.pk


def test_a_worker_killed_mid_training_leaves_the_active_model_serving(world, celery_worker_process):
    first = wait_for(trigger().pk)
    assert first.state == State.ACTIVE
    slow = trigger(iterations=10_000_000, warm_start=False)  # minutes of fitting: to kill
    wait_for(slow.pk, states=(State.TRAINING,))
    time.sleep(1.0)  # well inside the fit
    parent = celery_worker_process.process.pid
    (child,) = pool_children(parent)
    os.kill(child, signal.SIGKILL)

    # The pool replaces its process; the message, redelivered, finds the run already
    # started and leaves it alone. The run stays "training": nobody can know it is dead...
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and pool_children(parent) in ([], [child]):
        time.sleep(0.2)
    time.sleep(2)
    slow.refresh_from_db()
    assert slow.state == State.TRAINING
    forget_loaded_models()
    assert current_model().version_id == first.pk  # ...and the old model serves meanwhile
    with pytest.raises(registry.AlreadyRunning):
        trigger()

    # ...until its time limit has passed: the reaper fails it and frees the lock.
    limit = timedelta(seconds=settings.TRAINING_TIME_LIMIT + 1)
    assert registry.reap_stale_runs(now=timezone.now() + limit) == [slow.pk]
    slow.refresh_from_db()
    assert slow.state == State.FAILED and "time limit" in slow.reason
    assert registry.active_version() == first

    add_likes(world)  # something new for the next run to be judged on
    again = wait_for(trigger().pk)
    assert again.state == State.ACTIVE, again.reason
    assert ModelVersion.objects.get(pk=first.pk).state == State.RETIRED


def test_two_triggers_at_once_give_one_run(world):
    results, errors = run_in_threads(trigger, count=2)

    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], registry.AlreadyRunning)
    version = wait_for(results[0].pk)
    assert version.state == State.ACTIVE
    assert ModelVersion.objects.count() == 1


def test_the_task_run_twice_for_one_version_trains_once(world):
    version = training.training_request(triggered_by="test", enqueue=False)
    first = train_feed_model.delay(version.pk)
    second = train_feed_model.delay(version.pk)
    outcomes = [first.get(timeout=90), second.get(timeout=90)]

    assert {"version": version.pk, "skipped": True} in outcomes
    assert {"version": version.pk, "state": "active", "reason": ""} in outcomes
    assert ModelVersion.objects.get(pk=version.pk).state == State.ACTIVE
    assert ModelVersion.objects.count() == 1


def test_the_data_threshold_task_trains_once_enough_is_new(world):
    from events.models import Event, EventKind
    from feeds import conf
    from feeds.tasks import maybe_retrain

    # the worker runs with this process's environment, so it has the same threshold
    threshold = conf.get("FEED_RETRAIN_AFTER_EVENTS")
    have = Event.objects.count()
    assert maybe_retrain.delay().get(timeout=30) is None  # not enough yet
    assert ModelVersion.objects.count() == 0

    person, post = world.people[0][0], world.posts[0][0]
    Event.objects.bulk_create(
        Event(kind=EventKind.CLICK, user_id=person, post_id=post, created_at=timezone.now())
        for _ in range(max(threshold - have, 0))
    )
    version_id = maybe_retrain.delay().get(timeout=30)
    version = wait_for(version_id)
    assert version.state == State.ACTIVE and version.triggered_by == "data threshold"
    assert maybe_retrain.delay().get(timeout=30) is None  # debounced
