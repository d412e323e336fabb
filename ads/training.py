"""Training the ad targeter: the same registry, triggers, gate and lifecycle as the feed model.

    ad events -> (person, campaign) pairs -> time split -> ALS over clicks (implicit)
      -> features -> logistic regression -> AUC / log-loss vs targeting-only -> gate
      -> artifact -> activate

One example per (person, campaign) pair the person was shown: did they click it? The newest
ADS_EVAL_HOLDOUT share of pairs (by first impression) is held out. The person x campaign
factors come from implicit's ALS on the clicks of the older pairs; to teach the logistic
regression how much to trust them, the older pairs are scored out of fold (two halves, each
scored by factors fitted on the other), as new pairs will be at serving time. The topic
affinity comes from the feed model (ads.index.campaign_topic_vectors), the prior from each
campaign's smoothed click-through rate. People who turned personalised ads off, and
suspended people, are left out of the data.

Exposes the interface `feeds.registry.trainer` expects: training_request, train_version,
retrain_if_due and retrain_on_schedule.
"""

import logging
from dataclasses import asdict, dataclass
from typing import ClassVar

import numpy as np
from django.conf import settings
from django.utils import timezone

from ads import evaluation
from ads.targeter import FEATURES, baseline_columns, sigmoid
from ads.targeter_data import (
    AD_KINDS,
    Clicks,
    ad_pairs,
    campaign_priors,
    features,
    interest_and_topics,
    out_of_fold_mf,
)
from events.models import Event
from feeds import gates, registry, serving
from feeds.artifacts import load_factor_model, save_factor_model
from feeds.binary_metrics import champion_figures
from feeds.conf import SettingsConfig
from feeds.matrix import latest_event_id
from feeds.models import ModelKind, ModelVersion
from feeds.stages import Progress, Stages
from feeds.training import NotEnoughData, PeakMemory, fit_als

log = logging.getLogger(__name__)
KIND = ModelKind.AD_TARGETER
MIN_PAIRS = 40
STAGES = {"data": 0.25, "split": 0.05, "fit": 0.45, "evaluate": 0.15, "artifact": 0.1}


@dataclass(frozen=True)
class TargeterConfig(SettingsConfig):
    SETTINGS: ClassVar[dict[str, str]] = {
        "factors": "ADS_TARGETER_FACTORS",
        "regularization": "ADS_TARGETER_REGULARIZATION",
        "alpha": "ADS_TARGETER_ALPHA",
        "iterations": "ADS_TARGETER_ITERATIONS",
        "random_state": "ADS_TARGETER_RANDOM_STATE",
        "holdout": "ADS_EVAL_HOLDOUT",
        "gate_enabled": "ADS_GATE_ENABLED",
        "gate_baseline_lift": "ADS_GATE_BASELINE_LIFT",
        "gate_active_ratio": "ADS_GATE_ACTIVE_RATIO",
        "gate_min_clicks": "ADS_GATE_MIN_CLICKS",
        "gate_min_non_clicks": "ADS_GATE_MIN_NON_CLICKS",
    }

    factors: int
    regularization: float
    alpha: float
    iterations: int
    random_state: int
    holdout: float
    gate_enabled: bool
    gate_baseline_lift: float
    gate_active_ratio: float
    gate_min_clicks: int
    gate_min_non_clicks: int


# --- triggers --------------------------------------------------------------------------


# The Celery task that trains a queued version (ads.tasks declares it; feeds.registry sends
# it by this name, also again for a run whose message the broker never got).
TASK = "ads.train_ad_targeter"


def training_request(
    *, kind: str = KIND, triggered_by: str, overrides: dict | None = None, enqueue: bool = True
) -> ModelVersion:
    """Queue a run under the registry's one-training lock; its task goes after commit.
    Raises registry.AlreadyRunning or ValueError (unknown overrides)."""
    params = asdict(TargeterConfig.from_settings(overrides))
    return registry.queue_training(KIND, params=params, triggered_by=triggered_by, enqueue=enqueue)


def new_ad_events_since(max_event_id: int, at_least: int) -> int:
    """Ad impressions and clicks after the data window, counting to `at_least` at most."""
    return (
        Event.objects.filter(id__gt=max_event_id, kind__in=AD_KINDS).values("id")[:at_least].count()
    )


def retrain_if_due(*, kind: str = KIND, now=None) -> ModelVersion | None:
    """The data trigger (every minute, with the feed model's): ADS_RETRAIN_AFTER_EVENTS new
    ad events, debounced by the registry's rule."""
    due = registry.due_for_retrain(
        KIND,
        new_events=new_ad_events_since,
        threshold=settings.ADS_RETRAIN_AFTER_EVENTS,
        min_interval_seconds=settings.ADS_RETRAIN_MIN_INTERVAL,
        now=now,
    )
    if not due:
        return None
    try:
        return training_request(triggered_by="data threshold")
    except registry.AlreadyRunning:
        return None


def retrain_on_schedule(*, kind: str = KIND) -> ModelVersion | None:
    """The periodic retrain; skipped when no ad event arrived since the last version."""
    trained = registry.latest_trained_version(KIND)
    if not new_ad_events_since(trained.max_event_id if trained else 0, 1):
        return None
    try:
        return training_request(triggered_by="schedule")
    except registry.AlreadyRunning:
        return None


# --- the pipeline ----------------------------------------------------------------------


def _run(version: ModelVersion, progress: Progress | None) -> None:
    config = TargeterConfig.from_dict(version.params or {})
    memory, stage = PeakMemory(), Stages(STAGES, progress)

    stage("data", "reading ad impressions and clicks")
    max_event_id = latest_event_id()
    pairs = ad_pairs(max_event_id)
    user_ids, campaign_ids = np.unique(pairs.users), np.unique(pairs.campaigns)
    registry.version_update(
        version,
        max_event_id=max_event_id,
        users=len(user_ids),
        items=len(campaign_ids),
        nonzeros=int(pairs.clicked.sum()),
    )
    stage("split", f"{len(pairs):,} people x campaigns shown, {int(pairs.clicked.sum()):,} clicked")
    champion, champion_model = _champion()
    older = np.arange(len(pairs)) < holdout_start(pairs, config.holdout, champion)
    train, test = pairs.take(older), pairs.take(~older)
    if len(pairs) < MIN_PAIRS or train.clicked.all() or not train.clicked.any():
        raise NotEnoughData(
            f"Not enough ad data: {len(pairs):,} people x campaigns shown, "
            f"{int(pairs.clicked.sum()):,} clicked; the training part needs clicks and "
            f"non-clicks (at least {MIN_PAIRS} pairs in all)."
        )
    stage("fit", f"ALS over {len(user_ids):,} people x {len(campaign_ids):,} campaigns")
    clicks = Clicks(user_ids, campaign_ids)
    priors, global_prior = campaign_priors(train)
    feed = serving.current_model(ModelKind.FEED_ALS, stale_ok=False)
    oof_mf, oof_has = out_of_fold_mf(clicks, train, config, config.random_state)
    train_x = features(
        train, priors, global_prior, oof_mf, oof_has, interest_and_topics(train, feed)
    )
    seen = clicks.matrix(train)
    als = fit_als(seen, config)
    coefficients = evaluation.fit_logistic(train_x, train.clicked)
    base = baseline_columns()
    baseline_coefficients = evaluation.fit_logistic(train_x[:, base], train.clicked)
    stage("evaluate", f"{len(test):,} held-out pairs")
    test_mf, test_has = clicks.score(als, seen, test)
    test_topics = interest_and_topics(test, feed)
    test_x = features(test, priors, global_prior, test_mf, test_has, test_topics)
    probabilities = sigmoid(test_x @ coefficients)
    metrics = {
        "eval_pairs": len(test),
        "held_out_clicks": int(test.clicked.sum()),
        "holdout": {
            "what": "the newest people x campaigns shown, by first impression",
            "fraction": config.holdout,
            "after_event_id": champion.max_event_id if champion else 0,
            "first_event_id": int(test.first.min()) if len(test) else None,
            "max_event_id": max_event_id,
            "pairs": len(test),
        },
        "model": evaluation.judge(test.clicked, probabilities, interval=True),
        "baseline": evaluation.judge(
            test.clicked, sigmoid(test_x[:, base] @ baseline_coefficients)
        ),
        "champion": None,
        "coefficients": dict(zip(FEATURES, np.round(coefficients, 4).tolist(), strict=True)),
        "feed_version": feed.version_id if feed is not None else None,
    }
    if champion_model is not None:
        metrics["champion"] = champion_figures(
            test.clicked,
            probabilities,
            evaluation.champion_probabilities(champion_model, test, test_x),
            version=champion.pk,
            ratio=config.gate_active_ratio,
        )
    verdict = evaluation.quality_gate(
        metrics,
        rules=gates.Rules.of(config),
        min_clicks=config.gate_min_clicks,
        min_non_clicks=config.gate_min_non_clicks,
        champion_version=champion.pk if champion else None,
    )
    registry.publish(
        version,
        verdict,
        metrics=metrics,
        stage=stage,
        memory=memory,
        write=lambda: save_factor_model(
            KIND,
            version.pk,
            user_factors=als.user_factors,
            item_factors=als.item_factors,
            user_ids=user_ids,
            post_ids=campaign_ids,  # the "items" of this model are campaigns
            meta={
                "params": {k: getattr(config, k) for k in ("factors", "regularization", "alpha")},
                "features": list(FEATURES),
                "coefficients": coefficients.tolist(),
                "campaign_prior": {str(k): v for k, v in priors.items()},
                "global_prior": global_prior,
                "max_event_id": max_event_id,
                "created_at": timezone.now().isoformat(),
            },
        ),
    )


def _champion():
    """The active targeter and its artifact (None where it cannot be read: then there is
    nothing to compare with, and its data window still bounds the hold-out)."""
    active = registry.active_version(KIND)
    if active is None:
        return None, None
    try:
        return active, load_factor_model(active.artifact_path)
    except (OSError, ValueError, KeyError) as error:
        log.error("cannot load the active targeter v%s to compare with: %s", active.pk, error)
        return active, None


def holdout_start(pairs, holdout: float, champion) -> int:
    """Where the hold-out starts: the newest `holdout` share of the pairs (they are in order
    of first impression), and never a pair the active version learnt from."""
    cut = round(len(pairs) * (1 - holdout))
    if champion is not None:
        cut = max(cut, int(np.searchsorted(pairs.first, champion.max_event_id, side="right")))
    return cut


def train_version(version_id: int, *, progress: Progress | None = None) -> ModelVersion | None:
    """Run the pipeline for a queued version (idempotent: a version not queued is left
    alone). Returns the version in its final state."""
    return registry.train_queued(version_id, _run, progress=progress)
