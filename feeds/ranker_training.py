"""Training the learned ranker: the same registry, triggers, gate and lifecycle as the others.

    served posts and what followed (feeds.ranker_data) -> time split
      -> gradient-boosted trees (scikit-learn) -> AUC / log-loss beside the hand blend and
      the active ranker -> gate -> artifact -> activate

scikit-learn's HistGradientBoostingClassifier: it learns the interactions a hand blend
cannot (a followee's like matters more on an old post than on a fresh one, the model's score
more for people it knows well), needs no scaling of features with very different ranges, and
predicts a few hundred rows in about a millisecond on one thread (bench/bench_ranker.py).

The version's `max_event_id` is the newest served-post id its examples could include, so
the data trigger counts served posts since, and the next version's hold-out never holds an
example this one learnt from.

Exposes the interface `feeds.registry.trainer` expects: training_request, train_version,
retrain_if_due, retrain_on_schedule and TASK.
"""

import logging
from dataclasses import asdict, dataclass
from typing import ClassVar

import joblib
import numpy as np
from django.conf import settings
from django.utils import timezone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from threadpoolctl import threadpool_limits

from feeds import gates, ranker_data, ranker_evaluation, registry
from feeds.artifacts import save_artifact
from feeds.binary_metrics import PERSON_AUC, champion_figures, judge, person_auc
from feeds.conf import SettingsConfig
from feeds.learned import MODEL_FILE, Ranker, load_ranker
from feeds.models import ModelKind, ModelVersion, ServedCandidate
from feeds.ranker_features import FEATURES
from feeds.stages import Progress, Stages
from feeds.training import NotEnoughData, PeakMemory

log = logging.getLogger(__name__)
KIND = ModelKind.FEED_RANKER
TASK = "feeds.train_feed_ranker"  # matches the `*.train_*` route: the training queue
STAGES = {"data": 0.35, "split": 0.05, "fit": 0.35, "evaluate": 0.2, "artifact": 0.05}
MIN_EXAMPLES = 40
CALIBRATION_SHARE = 0.15  # of the training examples, the newest: a weighted ranker's calibration


@dataclass(frozen=True)
class RankerConfig(SettingsConfig):
    iterations: int
    learning_rate: float
    leaves: int
    random_state: int
    holdout: float
    max_examples: int
    reading_weight: bool
    gate_enabled: bool
    gate_baseline_lift: float
    gate_active_ratio: float
    gate_min_engaged: int
    gate_min_ignored: int

    SETTINGS: ClassVar[dict[str, str]] = {
        "iterations": "FEED_RANKER_ITERATIONS",
        "learning_rate": "FEED_RANKER_LEARNING_RATE",
        "leaves": "FEED_RANKER_LEAVES",
        "random_state": "FEED_RANKER_RANDOM_STATE",
        "holdout": "FEED_RANKER_HOLDOUT",
        "max_examples": "FEED_RANKER_MAX_EXAMPLES",
        "reading_weight": "FEED_RANKER_READING_WEIGHT",
        "gate_enabled": "FEED_RANKER_GATE_ENABLED",
        "gate_baseline_lift": "FEED_RANKER_GATE_BASELINE_LIFT",
        "gate_active_ratio": "FEED_RANKER_GATE_ACTIVE_RATIO",
        "gate_min_engaged": "FEED_RANKER_GATE_MIN_ENGAGED",
        "gate_min_ignored": "FEED_RANKER_GATE_MIN_IGNORED",
    }


# --- triggers --------------------------------------------------------------------------


def training_request(
    *, kind: str = KIND, triggered_by: str, overrides: dict | None = None, enqueue: bool = True
) -> ModelVersion:
    """Queue a run under the registry's one-training lock; its task goes after commit.
    Raises registry.AlreadyRunning or ValueError (unknown overrides)."""
    params = asdict(RankerConfig.from_settings(overrides))
    return registry.queue_training(KIND, params=params, triggered_by=triggered_by, enqueue=enqueue)


def retrain_if_due(*, kind: str = KIND, now=None) -> ModelVersion | None:
    """The data trigger (every minute, with the other kinds'): FEED_RANKER_RETRAIN_AFTER
    posts served since the last version, debounced by the registry's rule."""
    from feeds import conf

    due = registry.due_for_retrain(
        KIND,
        new_events=ranker_data.new_served_since,
        threshold=conf.get("FEED_RANKER_RETRAIN_AFTER"),
        min_interval_seconds=conf.get("FEED_RANKER_RETRAIN_MIN_INTERVAL"),
        now=now,
    )
    if not due:
        return None
    try:
        return training_request(triggered_by="data threshold")
    except registry.AlreadyRunning:
        return None


def retrain_on_schedule(*, kind: str = KIND) -> ModelVersion | None:
    """The periodic retrain; skipped when nothing was served since the last version."""
    trained = registry.latest_trained_version(KIND)
    if not ranker_data.new_served_since(trained.max_event_id if trained else 0, 1):
        return None
    try:
        return training_request(triggered_by="schedule")
    except registry.AlreadyRunning:
        return None


# --- the pipeline ----------------------------------------------------------------------


def reading_weights(engaged: np.ndarray, read_ms: np.ndarray) -> np.ndarray:
    """1 for a post passed over; for one engaged with, its reading time in FEED_RANKER_DWELL_MS
    units, at least 1 (a like without reading counts as one short read)."""
    unit = max(settings.FEED_RANKER_DWELL_MS, 1)
    return np.where(engaged, np.maximum(1.0, np.asarray(read_ms) / unit), 1.0)


def fit_ranker(
    features: np.ndarray, engaged: np.ndarray, config: RankerConfig, read_ms=None
) -> object:
    """The ranker's classifier. With `config.reading_weight` (and reading times), engaged
    examples weigh their reading time, as YouTube's ranker weighs watch time (Covington et
    al., 2016): its odds then grow with the expected time well spent, where a yes-or-no
    label stops at "engaged", alike for a good post and a great one. Weighting inflates the
    odds, so the trees learn on the older part of the examples and scikit-learn's sigmoid
    calibration maps their scores back to honest chances on the newest CALIBRATION_SHARE,
    unweighted (the gate's log-loss judges those); the order is the trees'."""
    weighted = config.reading_weight and read_ms is not None
    cut = round(len(engaged) * (1 - CALIBRATION_SHARE)) if weighted else len(engaged)
    if weighted and not (_both_outcomes(engaged[:cut]) and _both_outcomes(engaged[cut:])):
        weighted, cut = False, len(engaged)
    trees = HistGradientBoostingClassifier(
        max_iter=config.iterations,
        learning_rate=config.learning_rate,
        max_leaf_nodes=config.leaves,
        random_state=config.random_state,
    )
    with threadpool_limits(1, "openmp"):  # the worker's other processes have the other CPUs
        if not weighted:
            return trees.fit(features, engaged)
        trees.fit(features[:cut], engaged[:cut], reading_weights(engaged[:cut], read_ms[:cut]))
        calibrated = CalibratedClassifierCV(FrozenEstimator(trees), method="sigmoid")
        return calibrated.fit(features[cut:], engaged[cut:])


def _both_outcomes(engaged: np.ndarray) -> bool:
    return bool(engaged.any() and not engaged.all())


def holdout_start(examples: ranker_data.Examples, holdout: float, champion) -> int:
    """Where the hold-out starts: the newest `holdout` share, and never an example the
    active version could have learnt from."""
    cut = round(len(examples) * (1 - holdout))
    if champion is not None:
        cut = max(cut, int(np.searchsorted(examples.ids, champion.max_event_id, side="right")))
    return cut


def _run(version: ModelVersion, progress: Progress | None) -> None:
    config = RankerConfig.from_dict(version.params or {})
    memory, stage = PeakMemory(), Stages(STAGES, progress)
    stage("data", "reading served posts and what followed")
    newest = ServedCandidate.objects.order_by("-id").values_list("id", flat=True).first() or 0
    examples = ranker_data.labelled(limit=config.max_examples)
    examples = examples.take(examples.ids <= newest)
    engaged = int(examples.engaged.sum())
    registry.version_update(
        version,
        max_event_id=int(examples.ids[-1]) if len(examples) else 0,
        users=len(np.unique(examples.user_ids)),
        items=len(examples),
        nonzeros=engaged,
    )
    stage("split", f"{len(examples):,} posts served and seen, {engaged:,} engaged with")
    champion, champion_ranker = _champion()
    older = np.arange(len(examples)) < holdout_start(examples, config.holdout, champion)
    train, test = examples.take(older), examples.take(~older)
    if len(examples) < MIN_EXAMPLES or train.engaged.all() or not train.engaged.any():
        raise NotEnoughData(
            f"Not enough served posts with their outcome: {len(examples):,} seen, {engaged:,} "
            f"engaged with; the training part needs both outcomes (at least {MIN_EXAMPLES} "
            "examples in all)."
        )
    stage("fit", f"gradient-boosted trees on {len(train):,} examples")
    model = fit_ranker(train.features, train.engaged, config, train.read_ms)
    challenger = Ranker(version_id=version.pk, model=model)
    stage("evaluate", f"{len(test):,} held-out examples")
    predicted = challenger.engagement(test.features)
    blend = test.column("blend")
    calibrated = ranker_evaluation.calibrated_blend(train.column("blend"), train.engaged, blend)
    metrics = {
        "eval_examples": len(test),
        "held_out_engaged": int(test.engaged.sum()),
        "holdout": {
            "what": "the newest posts served and seen, by serving order",
            "fraction": config.holdout,
            "after_served_id": champion.max_event_id if champion else 0,
            "examples": len(test),
            "people": len(np.unique(test.user_ids)),
        },
        "model": judge(test.engaged, predicted, interval=True),
        "baseline": ranker_evaluation.baseline_figures(test.engaged, blend, calibrated),
        "champion": None,
        "engaged_share": round(float(examples.engaged.mean()), 6),
        "features": list(FEATURES),
    }
    metrics["model"][PERSON_AUC] = person_auc(test.engaged, predicted, test.user_ids)
    metrics["baseline"][PERSON_AUC] = person_auc(test.engaged, blend, test.user_ids)
    if champion_ranker is not None:
        theirs = champion_ranker.engagement(test.features)
        metrics["champion"] = champion_figures(
            test.engaged, predicted, theirs, version=champion.pk, ratio=config.gate_active_ratio
        )
        metrics["champion"][PERSON_AUC] = person_auc(test.engaged, theirs, test.user_ids)
    verdict = ranker_evaluation.quality_gate(
        metrics,
        rules=gates.Rules.of(config),
        min_engaged=config.gate_min_engaged,
        min_ignored=config.gate_min_ignored,
        champion_version=champion.pk if champion else None,
    )
    registry.publish(
        version,
        verdict,
        metrics=metrics,
        stage=stage,
        memory=memory,
        write=lambda: save_artifact(
            KIND,
            version.pk,
            meta={
                "features": list(FEATURES),
                "max_served_id": int(examples.ids[-1]),
                "created_at": timezone.now().isoformat(),
            },
            write=lambda folder: joblib.dump(model, folder / MODEL_FILE),
        ),
    )


def _champion():
    """The active ranker and its model (None where it cannot be read: then there is nothing
    to compare with, and its data window still bounds the hold-out)."""
    active = registry.active_version(KIND)
    if active is None:
        return None, None
    try:
        return active, load_ranker(active.artifact_path, active.pk)
    except (OSError, ValueError, KeyError, EOFError) as error:
        log.error("cannot load the active ranker v%s to compare with: %s", active.pk, error)
        return active, None


def train_version(version_id: int, *, progress: Progress | None = None) -> ModelVersion | None:
    """Run the pipeline for a queued version (idempotent: a version not queued is left
    alone). Returns the version in its final state."""
    return registry.train_queued(version_id, _run, progress=progress)
