"""The registry's state machine: one run at a time, one active version, rollback, reaping,
pruning. The races run in real threads on their own connections."""

import threading
from datetime import timedelta
from importlib import import_module

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feeds import registry, serving
from feeds.artifacts import save_factor_model, version_dir
from feeds.models import ModelVersion

State = ModelVersion.State


@pytest.fixture(autouse=True)
def model_root(settings, tmp_path):
    settings.MODEL_ROOT = tmp_path / "models"
    return settings.MODEL_ROOT


def trained(state=State.READY, **fields) -> ModelVersion:
    """A finished run with a small artifact on disk."""
    version = ModelVersion.objects.create(state=state, **fields)
    path = save_factor_model(
        version.kind,
        version.pk,
        user_factors=np.ones((2, 4)),
        item_factors=np.ones((3, 4)),
        user_ids=[1, 2],
        post_ids=[10, 11, 12],
        meta={"params": {}},
    )
    version.artifact_path = str(path)
    version.save(update_fields=["artifact_path"])
    return version


def queue(triggered_by="test") -> ModelVersion:
    return registry.version_queue(kind="feed_als", triggered_by=triggered_by, params={})


def test_one_run_at_a_time(db):
    first = queue()
    with pytest.raises(registry.AlreadyRunning) as refused:
        queue()
    assert refused.value.version == first
    assert str(refused.value) == f"v{first.pk} is already queued or training"
    registry.version_start(first.pk)
    with pytest.raises(registry.AlreadyRunning):
        queue()
    registry.version_fail(first, "boom")
    assert queue().state == State.QUEUED  # the lock is free again


def test_the_ad_targeter_has_its_own_lock(db):
    queue()
    other = registry.version_queue(kind="ad_targeter", triggered_by="test", params={})
    assert other.state == State.QUEUED


def test_a_run_starts_once(db):
    version = queue()
    assert registry.version_start(version.pk).state == State.TRAINING
    assert registry.version_start(version.pk) is None
    assert registry.version_start(999_999) is None


def test_activation_retires_the_previous_active_version(db):
    old = trained()
    registry.version_activate(old.pk)
    new = trained()
    registry.version_activate(new.pk)
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.state, new.state) == (State.RETIRED, State.ACTIVE)
    assert new.activated_at is not None
    assert registry.active_version() == new
    assert ModelVersion.objects.filter(state=State.ACTIVE).count() == 1


def test_pages_read_which_version_is_active_once_a_period(
    db, settings, django_capture_on_commit_callbacks
):
    """Every page asks which version is active: a web process reads it once per
    FEED_SERVING_REFRESH_SECONDS; an activation in the process is seen at once, one in
    another process within the period, and the tasks working for it read it at once."""
    settings.FEED_SERVING_REFRESH_SECONDS = 60
    first, second, third = trained(), trained(), trained()
    with django_capture_on_commit_callbacks(execute=True):
        registry.version_activate(first.pk)
    with CaptureQueriesContext(connection) as reads:
        assert [serving.active_version_row(first.kind)["id"] for _ in range(3)] == [first.pk] * 3
    assert len(reads.captured_queries) == 1
    # Another process activates the second: this one serves the first until its period ends,
    ModelVersion.objects.filter(pk=first.pk).update(state=State.RETIRED)
    ModelVersion.objects.filter(pk=second.pk).update(state=State.ACTIVE)
    assert serving.active_version_row(first.kind)["id"] == first.pk
    # but a task that precomputes for the new version sees it now.
    assert serving.active_version_row(first.kind, stale_ok=False)["id"] == second.pk
    with django_capture_on_commit_callbacks(execute=True):
        registry.version_activate(third.pk)
    assert serving.active_version_row(first.kind)["id"] == third.pk


def test_rollback_brings_an_older_version_back(db):
    old, new = trained(), trained()
    registry.version_activate(old.pk)
    registry.version_activate(new.pk)
    registry.version_activate(old.pk)
    assert registry.active_version() == old
    assert ModelVersion.objects.get(pk=new.pk).state == State.RETIRED
    assert registry.version_activate(old.pk) == old  # already active: nothing to do


@pytest.mark.parametrize("state", [State.REJECTED, State.FAILED, State.QUEUED, State.TRAINING])
def test_only_ready_or_retired_versions_can_be_activated(db, state):
    current = trained()
    registry.version_activate(current.pk)
    version = trained(state=state)
    with pytest.raises(ValidationError, match="only a ready or retired version"):
        registry.version_activate(version.pk)
    assert registry.active_version() == current


def test_a_version_whose_artifact_is_gone_cannot_be_activated(db):
    current, old = trained(), trained(state=State.RETIRED)
    registry.version_activate(current.pk)
    (version_dir("feed_als", old.pk) / "meta.json").unlink()
    with pytest.raises(ValidationError, match="no artifact left"):
        registry.version_activate(old.pk)
    assert registry.active_version() == current


def test_the_reaper_fails_runs_stuck_past_the_time_limit(db, settings):
    settings.TRAINING_TIME_LIMIT = 3600
    now = timezone.now()
    stuck = queue()
    registry.version_start(stuck.pk)
    ModelVersion.objects.filter(pk=stuck.pk).update(started_at=now - timedelta(seconds=3601))
    leftover = version_dir("feed_als", stuck.pk).with_name(f"v{stuck.pk}.tmp-123")
    leftover.mkdir(parents=True)
    active = trained()
    registry.version_activate(active.pk)

    assert registry.reap_stale_runs(now=now) == [stuck.pk]

    stuck.refresh_from_db()
    assert stuck.state == State.FAILED
    assert "No result within the training time limit (1:00:00)" in stuck.reason
    assert stuck.finished_at is not None
    assert not leftover.exists()
    assert registry.active_version() == active  # the serving model is untouched
    assert queue().state == State.QUEUED  # and the next trigger may train


def test_the_reaper_leaves_runs_within_their_time_limit_alone(db, settings):
    settings.TRAINING_TIME_LIMIT = 3600
    version = queue()
    registry.version_start(version.pk)
    assert registry.reap_stale_runs(now=timezone.now() + timedelta(seconds=3500)) == []
    assert registry.reap_stale_runs(now=timezone.now() + timedelta(seconds=3700)) == [version.pk]


def test_a_queued_run_that_never_started_is_reaped_too(db, settings):
    settings.TRAINING_TIME_LIMIT = 60
    version = queue()
    assert registry.reap_stale_runs(now=timezone.now() + timedelta(seconds=61)) == [version.pk]


def test_a_reaped_run_cannot_finish_afterwards(db):
    version = queue()
    version = registry.version_start(version.pk)
    registry.version_fail(version, "reaped")
    assert registry.version_ready(version, artifact_path="/nowhere") is False
    assert registry.version_reject(version, "too late") is False
    version.refresh_from_db()
    assert (version.state, version.reason, version.artifact_path) == (State.FAILED, "reaped", "")


def test_pruning_keeps_the_newest_versions_and_the_active_one(db):
    versions = [trained(state=State.RETIRED) for _ in range(5)]
    registry.version_activate(versions[0].pk)  # an old version, rolled back to

    pruned = registry.prune_artifacts(keep=2)

    assert sorted(pruned) == [versions[1].pk, versions[2].pk]
    for version in versions:
        version.refresh_from_db()
    assert [registry.artifact_exists(v) for v in versions] == [True, False, False, True, True]
    assert [bool(v.artifact_path) for v in versions] == [True, False, False, True, True]
    assert not version_dir("feed_als", versions[1].pk).exists()
    with pytest.raises(ValidationError, match="no artifact left"):
        registry.version_activate(versions[1].pk)


def run_in_threads(target, count=2):
    """Start `count` threads on a barrier, each with its own database connection."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def work():
        try:
            barrier.wait()
            results.append(target())
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


def test_two_triggers_at_once_give_one_run(transactional_db):
    for _ in range(5):  # the race, several times over
        ModelVersion.objects.all().delete()
        results, errors = run_in_threads(queue, count=4)
        assert len(results) == 1, errors
        assert len(errors) == 3
        assert all(isinstance(e, registry.AlreadyRunning) for e in errors), errors
        assert {e.version.pk for e in errors} == {results[0].pk}
        assert ModelVersion.objects.filter(state__in=registry.RUNNING).count() == 1


def test_two_activations_at_once_leave_one_active_version(transactional_db):
    for _ in range(3):
        ModelVersion.objects.all().delete()
        first, second = trained(), trained()
        targets = iter([first.pk, second.pk])
        lock = threading.Lock()

        def activate(targets=targets, lock=lock):
            with lock:
                pk = next(targets)
            return registry.version_activate(pk)

        results, errors = run_in_threads(activate)
        assert not errors and len(results) == 2
        states = sorted(ModelVersion.objects.values_list("state", flat=True))
        assert states == [State.ACTIVE, State.RETIRED]


def test_the_tasks_the_registry_sends_by_name_are_declared_under_those_names():
    from flywheel.celery import app

    for kind, module in registry.TRAINERS.items():
        import_module(module.replace(".training", ".tasks"))  # as a worker imports them
        assert registry.trainer(kind).TASK in app.tasks
    assert registry.PRECOMPUTE_TASK in app.tasks
    assert {"feeds.train_feed_model", "ads.train_ad_targeter"} <= set(app.tasks)  # beat's names
