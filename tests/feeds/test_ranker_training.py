"""Training the learned ranker: `manage.py retrain ranker` and the workers' triggers train it
on the served log, judge it on the newest examples beside the hand blend and the active
ranker, and let it serve only through the gate."""

from datetime import timedelta
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from events.models import Event, EventKind
from feeds import ranker_training, registry
from feeds.learned import Ranker, current_ranker, forget_loaded_rankers
from feeds.models import ModelKind, ModelVersion, ServedCandidate
from feeds.ranker_features import FEATURES
from feeds.ranker_training import RankerConfig, fit_ranker
from flywheel.celery import app
from tests.feeds.home_helpers import person, write

pytestmark = pytest.mark.django_db
SOCIAL = FEATURES.index("followee_likes")
BLEND = FEATURES.index("blend")


@pytest.fixture(autouse=True)
def _small_gate(settings, tmp_path):
    settings.MODEL_ROOT = str(tmp_path / "models")
    settings.FEED_RANKER_GATE_MIN_ENGAGED = 20
    settings.FEED_RANKER_GATE_MIN_IGNORED = 40
    settings.FEED_RANKER_ITERATIONS = 50
    forget_loaded_rankers()
    yield
    forget_loaded_rankers()


def served_world(count: int, *, rng, signal: str = "social", start_minutes: int = 24 * 60):
    """`count` served-and-seen posts, oldest first, whose engagement follows the followees'
    likes (`social`: something the hand blend ignores) or nothing (`noise`)."""
    people = [person() for _ in range(20)]
    author = person("author")
    posts = [write(author, f"p{n}") for n in range(40)]
    start = timezone.now() - timedelta(minutes=start_minutes)
    rows, events = [], []
    for n in range(count):
        # each (person, post) pair once in 800 servings: 400 minutes apart, beyond the window
        user, post = people[(n // 40) % 20], posts[n % 40]
        at = start + timedelta(seconds=30 * n)
        features = np.zeros(len(FEATURES), dtype=np.float32)
        for name in ("followee_likes", "blend", "model", "age_hours"):
            features[FEATURES.index(name)] = rng.random()
        features[FEATURES.index("position")] = n % 20
        chance = {
            "social": 0.05 + 0.8 * (features[SOCIAL] > 0.6),
            "noise": 0.3,
        }[signal]
        rows.append(
            ServedCandidate(
                user=user,
                post_id=post.pk,
                served_at=at,
                arm="personalised",
                position=n % 20,
                features=features.tobytes(),
            )
        )
        events.append(Event(user=user, post_id=post.pk, kind=EventKind.IMPRESSION, created_at=at))
        if rng.random() < chance:
            later = at + timedelta(seconds=20)
            events.append(Event(user=user, post_id=post.pk, kind=EventKind.LIKE, created_at=later))
    ServedCandidate.objects.bulk_create(rows)
    Event.objects.bulk_create(events)


def retrain() -> tuple[ModelVersion, str]:
    out = StringIO()
    call_command("retrain", "ranker", "--no-progress", stdout=out)
    return ModelVersion.objects.filter(kind=ModelKind.FEED_RANKER).first(), out.getvalue()


def test_a_ranker_that_learns_what_the_blend_ignores_passes_the_gate_and_serves():
    served_world(1500, rng=np.random.default_rng(1))
    version, printed = retrain()
    assert version.state == ModelVersion.State.ACTIVE, version.reason
    metrics = version.metrics
    assert metrics["model"]["auc"] > 0.8 > metrics["baseline"]["auc"]
    assert metrics["model"]["log_loss"] < metrics["baseline"]["log_loss"]
    assert metrics["model"]["auc_low"] > 0.5
    # the followees' likes vary within each person's posts: it orders each person's feed
    assert metrics["model"]["person_auc"] > 0.8 > metrics["baseline"]["person_auc"]
    assert metrics["champion"] is None and metrics["gate"]["passed"]
    assert metrics["eval_examples"] == 300  # the newest 20%
    assert "hand blend" in printed and "is now the active version" in printed
    assert current_ranker().version_id == version.pk


def test_the_next_version_is_judged_beside_the_active_one_on_examples_it_never_saw():
    rng = np.random.default_rng(2)
    served_world(1000, rng=rng, start_minutes=48 * 60)
    first, _ = retrain()
    assert first.state == ModelVersion.State.ACTIVE
    served_world(600, rng=rng, start_minutes=20 * 60)
    second, _ = retrain()
    assert second.metrics["champion"]["version"] == first.pk
    assert second.metrics["champion"]["person_auc"] is not None
    assert second.metrics["holdout"]["after_served_id"] == first.max_event_id
    newest_seen_by_first = first.max_event_id
    assert (
        second.metrics["eval_examples"]
        <= ServedCandidate.objects.filter(id__gt=newest_seen_by_first).count()
    )
    assert second.state == ModelVersion.State.ACTIVE, second.reason


def test_a_ranker_that_learnt_nothing_is_kept_out():
    served_world(1500, rng=np.random.default_rng(3), signal="noise")
    version, printed = retrain()
    assert version.state == ModelVersion.State.REJECTED
    assert "could be luck" in version.reason or "the hand blend" in version.reason
    assert current_ranker() is None
    assert "The active version is still none" in printed


def test_too_little_data_fails_with_a_reason_and_no_traceback():
    served_world(10, rng=np.random.default_rng(4))
    with pytest.raises(CommandError) as failed:
        retrain()
    assert "Not enough served posts" in str(failed.value)
    with pytest.raises(CommandError, match="unknown training settings: factors"):
        call_command("retrain", "ranker", "--factors", "8", stdout=StringIO())


def test_the_data_trigger_queues_a_ranker_run_on_the_training_queue(settings):
    settings.FEED_RANKER_RETRAIN_AFTER = 100
    settings.FEED_RANKER_RETRAIN_MIN_INTERVAL = 0
    served_world(60, rng=np.random.default_rng(5))
    assert ranker_training.retrain_if_due() is None
    served_world(60, rng=np.random.default_rng(6), start_minutes=30)  # labels still open
    assert ranker_training.retrain_if_due() is None
    served_world(60, rng=np.random.default_rng(7))
    queued = ranker_training.retrain_if_due()
    assert queued.state == ModelVersion.State.QUEUED and queued.triggered_by == "data threshold"
    assert registry.trainer(ModelKind.FEED_RANKER) is ranker_training
    route = app.amqp.router.route({}, ranker_training.TASK)
    assert route["queue"].name == "training"


def test_staff_see_the_ranker_beside_the_hand_blend_and_can_retrain_it(client):
    from django.contrib.auth.models import Permission

    served_world(1500, rng=np.random.default_rng(7))
    version, _ = retrain()
    boss = person("boss", is_staff=True)
    boss.user_permissions.add(Permission.objects.get(codename="change_modelversion"))
    client.force_login(boss)
    page = client.get("/staff/models/?kind=feed_ranker")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"Serving <strong>v{version.pk}</strong>" in html
    assert "model / hand blend / active then" in html
    assert f"{version.metrics['model']['auc']:.3f}" in html
    assert "posts served and seen by 20 people" in html
    assert "Judged on the 300 newest posts served and seen" in html
    answer = client.post("/staff/models/retrain/", {"kind": "feed_ranker"})
    assert answer.status_code == 302
    queued = ModelVersion.objects.filter(kind=ModelKind.FEED_RANKER).first()
    assert queued.state == ModelVersion.State.QUEUED and queued.triggered_by == "staff:boss"


def test_engaged_examples_weighed_by_reading_time_put_long_reads_first_with_honest_chances(
    settings,
):
    """Posts of one kind are read six times longer than the other's, and engaged with as
    often; a second feature changes how often people engage. Weighted by reading time the
    ranker puts long reads first; by the yes-or-no label alone it cannot tell them apart.
    Either way its chances stay calibrated."""
    settings.FEED_RANKER_DWELL_MS = 5000
    rng = np.random.default_rng(3)
    size = 30_000
    features = np.zeros((size, len(FEATURES)), np.float32)
    long_read, popular = rng.random(size) < 0.5, rng.random(size) < 0.5
    features[:, 0], features[:, 1] = long_read, popular
    engaged = rng.random(size) < np.where(popular, 0.45, 0.15)
    read_ms = np.where(engaged, np.where(long_read, 30_000, 5_000), 0)
    rows = np.zeros((2, len(FEATURES)), np.float32)
    rows[1, 0] = 1.0  # a long read's row beside a short one's, neither popular

    weighted = fit_ranker(features, engaged, RankerConfig.from_settings(), read_ms)
    short, long = weighted.predict_proba(rows)[:, 1]
    assert long > short + 0.05
    plain = fit_ranker(
        features, engaged, RankerConfig.from_settings({"reading_weight": False}), read_ms
    )
    short, long = plain.predict_proba(rows)[:, 1]
    assert abs(long - short) < 0.03
    for model in (weighted, plain):
        assert model.predict_proba(features)[:, 1].mean() == pytest.approx(0.3, abs=0.03)
    # Serving orders by the trees' own scores: the calibrated chances rise with them.
    ranker = Ranker(version_id=0, model=weighted)
    by_score = np.argsort(ranker.order_scores(features[:2000]), kind="stable")
    assert (np.diff(ranker.engagement(features[:2000])[by_score]) >= 0).all()
