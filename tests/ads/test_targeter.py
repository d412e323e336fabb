"""The ad targeter learns from clicks: trained from ad events, judged on the newest pairs
against a targeting-only baseline (AUC, log-loss), gated and registered like the feed model,
served by the auction, and trained by the same triggers and `manage.py retrain ads`."""

from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ads import targeter, targeting, training
from ads.index import current_index, publish
from ads.targeter_data import ad_pairs
from feeds import registry
from feeds.models import ModelKind, ModelVersion
from feeds.serving import current_model
from feeds.tasks import maybe_retrain, scheduled_retrain
from tests.ads.targeter_world import make_click_world
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
State = ModelVersion.State
KIND = ModelKind.AD_TARGETER


def train(**overrides) -> ModelVersion:
    version = training.training_request(triggered_by="test", overrides=overrides, enqueue=False)
    return training.train_version(version.pk)


def test_the_targeter_beats_targeting_alone_and_serves():
    world = make_click_world()
    version = train()
    assert version.state == State.ACTIVE, version.reason
    metrics = version.metrics
    assert metrics["model"]["auc"] > 0.75 > metrics["baseline"]["auc"]
    assert metrics["model"]["log_loss"] < metrics["baseline"]["log_loss"]
    assert metrics["eval_pairs"] == 144 and metrics["gate"]["passed"]
    assert metrics["coefficients"]["topic"] > 1  # it learnt that taste matters
    assert (version.users, version.items, version.nonzeros) == (120, 6, world.clicks)
    assert version.params["factors"] == 16 and version.train_seconds is not None
    assert registry.artifact_exists(version)
    assert current_model(KIND).version_id == version.pk


def test_served_predictions_follow_taste():
    world = make_click_world()
    version = train()
    publish()
    index = current_index(timezone.localdate(), feed=current_model(ModelKind.FEED_ALS))
    from accounts.models import User

    jazz_fan = User.objects.get(pk=world.people["jazz"][0])
    audience = targeting.audience_for(
        jazz_fan, index=index, context_post_ids=[], feed=current_model(ModelKind.FEED_ALS)
    )
    matches = targeting.match(index, audience)
    rows = np.arange(len(index))
    prediction = targeter.predict(index, rows, audience, matches)
    assert prediction.version_id == version.pk
    by_topic = {t: [] for t in ("jazz", "cooking")}
    for row, p in zip(rows, prediction.p_click, strict=True):
        by_topic[index.topics[row][0]].append(p)
    assert min(by_topic["jazz"]) > 3 * max(by_topic["cooking"])


def test_a_run_that_does_not_beat_the_baseline_is_rejected(settings):
    make_click_world()
    settings.ADS_GATE_BASELINE_LIFT = 5.0
    version = train()
    assert version.state == State.REJECTED
    assert "does not beat 5 x the targeting-only baseline" in version.reason
    assert registry.active_version(KIND) is None


def test_without_ad_data_the_run_fails_and_says_why():
    version = train()
    assert version.state == State.FAILED
    assert "Not enough ad data: 0 people x campaigns shown" in version.reason


def test_people_who_turned_personalised_ads_off_are_not_learnt_from():
    world = make_click_world()
    from accounts.models import User

    private = world.people["jazz"][:5]
    User.objects.filter(pk__in=private).update(personalised_ads=False)
    pairs = ad_pairs(10**12)
    assert not set(pairs.users.tolist()) & set(private)
    assert len(pairs) == world.impressions - 5 * 6


def test_retrain_ads_in_the_foreground():
    make_click_world()
    out = StringIO()
    call_command("retrain", "ads", "--no-progress", stdout=out)
    text = out.getvalue()
    assert "Training Ad targeter v" in text
    assert "targeting-only" in text and "auc" in text and "log_loss" in text
    assert "120 people x 6 campaigns" in text and "is now the active version" in text


def test_the_data_trigger_is_debounced(settings, django_capture_on_commit_callbacks):
    settings.ADS_RETRAIN_AFTER_EVENTS = 100
    assert training.retrain_if_due() is None  # no ad events yet
    make_click_world()
    with django_capture_on_commit_callbacks() as sent:
        version = training.retrain_if_due()
    assert version.triggered_by == "data threshold" and len(sent) == 1
    assert training.retrain_if_due() is None  # one run at a time
    training.train_version(version.pk)
    assert training.retrain_if_due() is None  # too soon after the last run


def test_the_feed_models_triggers_serve_the_targeter_too(settings):
    settings.ADS_RETRAIN_AFTER_EVENTS = 100
    settings.FEED_RETRAIN_AFTER_EVENTS = 10**9  # the feed model is not due
    assert maybe_retrain() is None
    make_click_world()
    version = ModelVersion.objects.get(pk=maybe_retrain())
    assert version.kind == KIND and version.state == State.QUEUED
    ModelVersion.objects.filter(pk=version.pk).delete()
    scheduled_retrain()
    assert registry.running_version(KIND).triggered_by == "schedule"


def test_the_schedule_skips_when_nothing_new():
    assert training.retrain_on_schedule() is None
    make_click_world()
    version = training.retrain_on_schedule()
    assert version.triggered_by == "schedule"
    training.train_version(version.pk)
    assert training.retrain_on_schedule() is None


def test_staff_see_and_retrain_the_targeter(client, staff_user, django_capture_on_commit_callbacks):
    make_click_world()
    version = train()
    client.force_login(staff_user)
    page = client.get(reverse("feeds_staff:models"), {"kind": KIND}).content.decode()
    assert f'id="version-{version.pk}"' in page and "model / targeting-only" in page
    auc = version.metrics["model"]["auc"]
    assert f"{auc:.3f}" in page
    with django_capture_on_commit_callbacks() as sent:
        response = client.post(reverse("feeds_staff:retrain"), {"kind": KIND}, follow=True)
    assert "is queued for training" in response.content.decode() and len(sent) == 1
    assert registry.running_version(KIND).triggered_by == f"staff:{staff_user.username}"
    feed_page = client.get(reverse("feeds_staff:models")).content.decode()
    assert f'id="version-{version.pk}"' not in feed_page  # each kind on its own tab


def test_someone_without_a_model_row_gets_the_prior(brand):
    from tests.ads.helpers import launched, live, serve

    launched(brand, topics=[])
    live()
    [ad] = serve(UserFactory())
    assert ad.extra["p_click"] == pytest.approx(0.02)
