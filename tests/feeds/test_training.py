"""The training pipeline in this process: data in, a gated, versioned, active model out."""

import random
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from django.utils import timezone

from accounts.models import User
from events.models import Event, EventKind
from feeds import registry, training
from feeds.artifacts import load_factor_model
from feeds.models import ModelVersion
from feeds.serving import current_model, forget_loaded_models, score_posts, user_vector
from social.models import Post

State = ModelVersion.State


@dataclass
class TasteWorld:
    """Two groups of people, each liking posts of its own group only."""

    people: list[list[int]] = field(default_factory=list)  # per group
    posts: list[list[int]] = field(default_factory=list)  # per group

    def group_of_post(self, post_id: int) -> int:
        return next(g for g, posts in enumerate(self.posts) if post_id in posts)


def make_taste_world(*, groups=2, people=25, posts=60, likes=20, seed=3, prefix="t"):
    """Create people, posts and like events with a clear taste structure; events come in
    time order so each person's most recent likes are well defined."""
    rng = random.Random(seed)
    world = TasteWorld()
    start = timezone.now() - timedelta(days=2)
    for g in range(groups):
        author = User.objects.create(username=f"{prefix}author{g}", password="!")
        made = Post.objects.bulk_create(
            Post(author=author, text=f"group {g} post {i}") for i in range(posts)
        )
        members = User.objects.bulk_create(
            User(username=f"{prefix}g{g}p{i}", password="!") for i in range(people)
        )
        world.posts.append([p.pk for p in made])
        world.people.append([u.pk for u in members])
    store_likes(
        [(p, post) for g in range(groups) for p in world.people[g]
         for post in rng.sample(world.posts[g], likes)],
        start=start,
    )  # fmt: skip
    return world


def store_likes(likes: list[tuple[int, int]], *, start) -> None:
    """(person, post) likes as events, one second apart from `start`, in this order."""
    Event.objects.bulk_create(
        Event(
            kind=EventKind.LIKE,
            user_id=person,
            post_id=post,
            created_at=start + timedelta(seconds=n),
        )
        for n, (person, post) in enumerate(likes, start=1)
    )


def add_likes(world: TasteWorld, *, per_person=5, seed=11, new_posts=0, groups=None) -> None:
    """More of the same taste, after everything so far: each person of `groups` (every group
    by default) likes `per_person` posts of their group they had not liked yet; with
    `new_posts`, each group first gets that many new posts, and those are the ones liked."""
    rng = random.Random(seed)
    start = timezone.now() - timedelta(hours=1)
    likes = []
    for g in groups if groups is not None else range(len(world.posts)):
        pool = world.posts[g]
        if new_posts:
            author = Post.objects.get(pk=pool[0]).author
            made = Post.objects.bulk_create(
                Post(author=author, text=f"group {g} new post {i}") for i in range(new_posts)
            )
            world.posts[g] = [*pool, *(p.pk for p in made)]
            pool = [p.pk for p in made]
        for person in world.people[g]:
            liked = set(Event.objects.filter(user_id=person).values_list("post_id", flat=True))
            fresh = rng.sample([p for p in pool if p not in liked], per_person)
            likes.extend((person, post) for post in fresh)
    store_likes(likes, start=start)


def recommended_groups(world: TasteWorld, person: int, limit: int = 10) -> list[int]:
    """The taste group of each of the active model's top posts for this person."""
    forget_loaded_models()
    served = current_model()
    seen = set(
        Event.objects.filter(user_id=person, post_id__isnull=False).values_list(
            "post_id", flat=True
        )
    )
    ranked = score_posts(served, user_vector(served, person), exclude=seen, limit=limit)
    return [world.group_of_post(post) for post, _ in ranked]


def train_now(**overrides) -> ModelVersion:
    version = training.training_request(triggered_by="test", overrides=overrides, enqueue=False)
    return training.train_version(version.pk)


@pytest.fixture
def model_root(settings, tmp_path):
    settings.MODEL_ROOT = tmp_path / "models"
    forget_loaded_models()
    yield settings.MODEL_ROOT
    forget_loaded_models()


@pytest.fixture
def world(db, model_root):
    return make_taste_world()


def test_a_run_trains_evaluates_and_activates_a_model_that_knows_the_tastes(world):
    version = train_now()

    assert version.state == State.ACTIVE, version.reason
    assert version.activated_at and version.finished_at and version.started_at
    assert (version.users, version.items) == (50, 120)
    assert version.nonzeros == 50 * 20
    assert version.max_event_id == Event.objects.latest("id").pk
    assert version.train_seconds > 0 and version.peak_memory_mb > 0
    metrics = version.metrics
    assert metrics["eval_users"] == 50 and metrics["held_out"] == 50 * 4
    assert metrics["model"]["recall@20"] > metrics["baseline"]["recall@20"]
    assert metrics["model"]["ndcg@20"] > metrics["baseline"]["ndcg@20"]
    assert set(metrics["seconds"]) == set(training.STAGES)
    assert metrics["gate"]["enabled"] and metrics["gate"]["passed"]
    assert metrics["champion"] is None  # nothing was active
    assert metrics["holdout"]["after_event_id"] == 0

    artifact = load_factor_model(version.artifact_path)
    assert artifact.meta["params"] == {
        "factors": 64, "regularization": 0.05, "alpha": 1.0, "iterations": 15,
    }  # fmt: skip
    assert artifact.meta["weights"]["like"] == 4.0
    assert artifact.meta["max_event_id"] == version.max_event_id
    assert artifact.item_factors.shape == (120, 64)

    for group, people in enumerate(world.people):
        for person in people[:5]:
            assert recommended_groups(world, person).count(group) >= 9


def test_hyper_parameters_come_from_settings_and_are_recorded(world, settings):
    settings.FEED_ALS_FACTORS = 16
    settings.FEED_ALS_ITERATIONS = 8
    version = train_now(regularization=0.1)
    assert version.state == State.ACTIVE, version.reason
    assert version.params["factors"] == 16 and version.params["iterations"] == 8
    assert version.params["regularization"] == 0.1
    assert load_factor_model(version.artifact_path).item_factors.shape == (120, 16)


def test_unknown_overrides_are_refused(db):
    with pytest.raises(ValueError, match="unknown training settings: colour"):
        training.training_request(triggered_by="test", overrides={"colour": 1}, enqueue=False)


def test_a_gate_rejection_leaves_the_old_version_active(world):
    first = train_now()
    add_likes(world)
    second = train_now(gate_baseline_lift=1000)

    assert second.state == State.REJECTED
    assert "does not beat 1000 x the popularity baseline" in second.reason
    assert second.artifact_path == ""
    assert not (Path(first.artifact_path).parent / f"v{second.pk}").exists()
    assert second.metrics["gate"]["passed"] is False
    assert second.metrics["champion"]["version"] == first.pk
    first.refresh_from_db()
    assert first.state == State.ACTIVE
    assert current_model().version_id == first.pk


def test_a_disabled_gate_activates_anyway_and_says_so(world):
    train_now()
    add_likes(world)
    second = train_now(gate_enabled=False, gate_baseline_lift=1000)
    assert second.state == State.ACTIVE
    gate = second.metrics["gate"]
    assert gate["enabled"] is False and gate["passed"] is True
    assert {c["clause"]: c["passed"] for c in gate["checks"]}["baseline"] is False


def test_the_task_body_is_idempotent(world):
    version = training.training_request(triggered_by="test", enqueue=False)
    assert training.train_version(version.pk).state == State.ACTIVE
    finished_at = ModelVersion.objects.get(pk=version.pk).finished_at
    assert training.train_version(version.pk) is None
    assert ModelVersion.objects.get(pk=version.pk).finished_at == finished_at


def test_a_run_reaped_while_it_worked_never_serves(world):
    first = train_now()
    version = training.training_request(triggered_by="test", enqueue=False)

    def reaper_strikes(stage, done, detail):
        if stage == "evaluate":
            registry.version_fail(version, "reaped")

    result = training.train_version(version.pk, progress=reaper_strikes)

    assert result.state == State.FAILED and result.reason == "reaped"
    assert registry.active_version() == first
    assert not list(Path(first.artifact_path).parent.glob(f"v{version.pk}*"))


def test_without_data_the_run_fails_with_a_reason(db, model_root):
    version = train_now()
    assert version.state == State.FAILED
    assert "Not enough interactions" in version.reason
    assert registry.running_version() is None


def test_an_error_fails_the_run_and_frees_the_lock(world, monkeypatch):
    def broken(*args, **kwargs):
        raise MemoryError("out of memory")

    monkeypatch.setattr(training, "fit_als", broken)
    version = train_now()
    assert version.state == State.FAILED
    assert version.reason == "MemoryError: out of memory"
    monkeypatch.undo()
    assert train_now().state == State.ACTIVE


def test_progress_reports_every_stage_in_order(world):
    seen = []
    version = training.training_request(triggered_by="test", enqueue=False)
    training.train_version(version.pk, progress=lambda *call: seen.append(call))
    stages = list(dict.fromkeys(stage for stage, _, _ in seen))
    assert stages == list(training.STAGES)
    fractions = [done for _, done, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] <= 1.0
    assert ("fit", pytest.approx(0.13 + 0.72), "15/15") in seen


def test_old_artifacts_are_pruned_keeping_the_last_versions(world, settings):
    settings.FEED_KEEP_VERSIONS = 2
    versions = []
    for round_number in range(4):
        add_likes(world, per_person=2, seed=round_number)
        versions.append(train_now(iterations=2, gate_active_ratio=0))
    versions = [ModelVersion.objects.get(pk=v.pk) for v in versions]
    assert [v.state for v in versions] == ["retired", "retired", "retired", "active"]
    assert [bool(v.artifact_path) for v in versions] == [False, False, True, True]
    assert [registry.artifact_exists(v) for v in versions] == [False, False, True, True]


# Triggers


def test_the_data_threshold_queues_a_run_when_enough_is_new(
    world, settings, django_capture_on_commit_callbacks
):
    settings.FEED_RETRAIN_AFTER_EVENTS = 1000
    settings.FEED_RETRAIN_MIN_INTERVAL = 600
    with django_capture_on_commit_callbacks() as sent:
        version = training.retrain_if_due()
    assert version.state == State.QUEUED and version.triggered_by == "data threshold"
    assert len(sent) == 1  # the task goes out after commit
    assert training.retrain_if_due() is None  # the lock: one run at a time
    training.train_version(version.pk)

    later = timezone.now() + timedelta(seconds=601)
    assert training.retrain_if_due(now=later) is None  # nothing new since its data window
    person = world.people[0][0]
    Event.objects.bulk_create(
        Event(kind=EventKind.CLICK, user_id=person, post_id=world.posts[0][0], created_at=later)
        for _ in range(999)
    )
    assert training.retrain_if_due(now=later) is None  # 999 < 1000
    Event.objects.create(kind=EventKind.IMPRESSION, user_id=person, post_id=1, created_at=later)
    assert training.retrain_if_due(now=later) is None  # impressions are not interactions
    Event.objects.create(kind=EventKind.LIKE, user_id=person, post_id=1, created_at=later)
    assert training.retrain_if_due() is None  # debounced: too soon after the last run
    assert training.retrain_if_due(now=later).triggered_by == "data threshold"


def test_the_schedule_retrains_only_when_something_happened(world):
    version = training.retrain_on_schedule()
    assert version.triggered_by == "schedule"
    training.train_version(version.pk)
    assert training.retrain_on_schedule() is None
    Event.objects.create(
        kind=EventKind.LIKE, user_id=world.people[0][0], post_id=1, created_at=timezone.now()
    )
    assert training.retrain_on_schedule().state == State.QUEUED


def test_ads_cannot_be_trained_yet(db):
    with pytest.raises(training.NotBuilt, match="Ad targeter has no training yet"):
        training.training_request(kind="ad_targeter", triggered_by="test")


def test_peak_memory_is_measured_for_this_run():
    memory = training.PeakMemory()
    block = np.ones(40 * 2**20 // 8)
    assert memory.peak_mb() >= 40
    del block
