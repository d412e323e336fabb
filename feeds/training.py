"""Training the feed recommender: triggers, and the pipeline one run goes through.

    build matrix -> split (hold-out) -> fit ALS -> evaluate -> gate -> artifact -> activate

A run is a ModelVersion created under the one-training lock (`training_request`); the
Celery task or `manage.py retrain` then calls `train_version` with its id. Whatever happens
inside, the active version is touched only by the final activation, one transaction.
"""

import logging
import resource
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from implicit.cpu.als import AlternatingLeastSquares
from threadpoolctl import threadpool_limits

from events.models import Event
from feeds import conf, gates, registry, retrieval
from feeds.artifacts import delete_artifact, load_factor_model, save_factor_model
from feeds.conf import TrainingConfig
from feeds.evaluation import Scorer, evaluate, quality_gate, split_holdout
from feeds.matrix import MatrixWeights, build_interaction_matrix, latest_event_id
from feeds.matrix_store import maintain_interaction_matrix
from feeds.models import ModelKind, ModelVersion
from feeds.warm_start import FitStart, choose_start

log = logging.getLogger(__name__)

# Stages and the share of a typical run each takes, for the progress display.
STAGES = {
    "matrix": 0.10,
    "split": 0.03,
    "fit": 0.72,
    "evaluate": 0.06,
    "artifact": 0.03,
    "index": 0.05,
    "activate": 0.01,
}
Progress = Callable[[str, float, str], None]  # stage, fraction of the whole run done, detail


class NotBuilt(Exception):
    """This kind of model has no training yet."""


class NotEnoughData(Exception):
    pass


# Triggers


# The Celery task that trains a queued version (feeds.tasks declares it; feeds.registry sends
# it by this name, also again for a run whose message the broker never got).
TASK = "feeds.train_feed_model"


def training_request(
    *,
    kind: str = ModelKind.FEED_ALS,
    triggered_by: str,
    overrides: dict | None = None,
    enqueue: bool = True,
) -> ModelVersion:
    """Queue a training run; its Celery task is sent after the transaction commits.

    `overrides` replace settings for this run only (see feeds.conf.TrainingConfig); they are
    recorded on the version. Raises registry.AlreadyRunning, NotBuilt, or ValueError.
    """
    if kind != ModelKind.FEED_ALS:
        raise NotBuilt(f"{ModelKind(kind).label} has no training yet.")
    params = asdict(TrainingConfig.from_settings(overrides))
    return registry.queue_training(kind, params=params, triggered_by=triggered_by, enqueue=enqueue)


def new_interactions_since(max_event_id: int, *, at_least: int) -> int:
    """How many interaction events arrived after the data window, counting to `at_least`
    at most (a LIMIT, so a large backlog costs no more than a small one)."""
    kinds = MatrixWeights().kinds()
    return (
        Event.objects.filter(id__gt=max_event_id, kind__in=kinds, post_id__isnull=False)
        .values("id")[:at_least]
        .count()
    )


def retrain_if_due(*, kind: str = ModelKind.FEED_ALS, now=None) -> ModelVersion | None:
    """The data threshold: train when FEED_RETRAIN_AFTER_EVENTS interaction events arrived
    since the last trained version. Debounced: never while a run is queued or training (the
    lock), and never sooner than FEED_RETRAIN_MIN_INTERVAL after the previous run began."""
    now = now or timezone.now()
    if registry.running_version(kind):
        return None
    latest = ModelVersion.objects.filter(kind=kind).order_by("-id").first()
    interval = timedelta(seconds=conf.get("FEED_RETRAIN_MIN_INTERVAL"))
    if latest is not None and latest.created_at > now - interval:
        return None
    trained = registry.latest_trained_version(kind)
    threshold = conf.get("FEED_RETRAIN_AFTER_EVENTS")
    since = trained.max_event_id if trained else 0
    if new_interactions_since(since, at_least=threshold) < threshold:
        return None
    try:
        return training_request(kind=kind, triggered_by="data threshold")
    except registry.AlreadyRunning:
        return None


def retrain_on_schedule(*, kind: str = ModelKind.FEED_ALS) -> ModelVersion | None:
    """The periodic retrain; skipped when nothing new happened since the last version."""
    trained = registry.latest_trained_version(kind)
    if trained and not new_interactions_since(trained.max_event_id, at_least=1):
        return None
    try:
        return training_request(kind=kind, triggered_by="schedule")
    except registry.AlreadyRunning:
        return None


# The pipeline


class PeakMemory:
    """Peak resident memory of this process from now on, in MB. On Linux the kernel's
    high-water mark is reset first, so a long-lived worker reports this run, not its life."""

    def __init__(self):
        try:
            with open("/proc/self/clear_refs", "w") as clear:
                clear.write("5")
            self.exact = True
        except OSError:
            self.exact = False

    def peak_mb(self) -> float:
        if self.exact:
            with open("/proc/self/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return round(int(line.split()[1]) / 1024, 1)
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def fit_als(
    matrix, config, on_iteration=None, *, start: FitStart | None = None
) -> AlternatingLeastSquares:
    """implicit's ALS with BLAS held to one thread: otherwise OpenBLAS threads fight
    implicit's own and the fit is slower. A warm `start` sets the factors implicit would
    otherwise draw at random, and its own number of iterations."""
    with threadpool_limits(1, "blas"):  # implicit checks the BLAS threads when built
        model = AlternatingLeastSquares(
            factors=config.factors,
            regularization=config.regularization,
            alpha=config.alpha,
            iterations=start.iterations if start else config.iterations,
            random_state=config.random_state,
        )
        if start is not None and start.warm:
            model.user_factors, model.item_factors = start.user_factors, start.item_factors
        model.fit(matrix, show_progress=False, callback=on_iteration)
    return model


def interaction_matrix(weights: MatrixWeights):
    """The matrix up to the newest event: maintained from the saved cells, or (with
    FEED_MATRIX_INCREMENTAL off) rebuilt from the whole log; both give the same matrix."""
    newest = latest_event_id()
    if settings.FEED_MATRIX_INCREMENTAL:
        return maintain_interaction_matrix(weights, max_event_id=newest)
    return build_interaction_matrix(weights, max_event_id=newest)


class _Run:
    def __init__(self, version: ModelVersion, progress: Progress | None):
        self.version = version
        self.progress = progress
        self.config = TrainingConfig.from_dict(version.params or {})
        self.weights = MatrixWeights()
        self.seconds: dict[str, float] = {}
        self.started = time.perf_counter()
        self._stage = None
        self._stage_started = 0.0

    def stage(self, name: str, detail: str = "", within: float = 0.0) -> None:
        if name != self._stage:
            self._end_stage()
            self._stage, self._stage_started = name, time.perf_counter()
        if self.progress:
            names = list(STAGES)
            done = sum(STAGES[n] for n in names[: names.index(name)]) + STAGES[name] * within
            self.progress(name, min(done, 1.0), detail)

    def _end_stage(self) -> None:
        if self._stage:
            self.seconds[self._stage] = round(time.perf_counter() - self._stage_started, 3)
            self._stage = None

    def execute(self) -> None:
        version, config = self.version, self.config
        memory = PeakMemory()
        self.stage("matrix", "reading the event log")
        interactions = interaction_matrix(self.weights)
        users, items = interactions.shape
        self._record(
            users=users,
            items=items,
            nonzeros=interactions.matrix.nnz,
            max_event_id=interactions.max_event_id,
        )
        self.stage(
            "split", f"{users:,} people x {items:,} posts, {interactions.matrix.nnz:,} interactions"
        )
        champion, champion_model, champion_scorer = self._champion(interactions.post_ids)
        holdout = split_holdout(
            interactions,
            sample_users=config.eval_users,
            fraction=config.holdout,
            seed=config.random_state,
            weights=self.weights,
            after_event_id=champion.max_event_id if champion else 0,
        )
        if not len(holdout.rows) and champion is None:
            raise NotEnoughData("Not enough interactions: nobody has two to hold one out.")
        start = choose_start(
            config,
            champion,
            champion_model,
            user_ids=interactions.user_ids,
            post_ids=interactions.post_ids,
            nonzeros=interactions.matrix.nnz,
        )
        del champion_model
        self._record(warm_from=start.from_version)
        self.stage("fit", f"0/{start.iterations} ({'warm' if start.warm else 'cold'})")

        def on_iteration(iteration, elapsed, loss):
            done = iteration + 1
            self.stage("fit", f"{done}/{start.iterations}", within=done / start.iterations)

        als = fit_als(holdout.train, config, on_iteration, start=start)
        self.stage("evaluate", f"{len(holdout.rows):,} people, {holdout.held_out:,} held out")
        challenger = Scorer.from_factors(
            als.item_factors, regularization=config.regularization, alpha=config.alpha
        )
        with threadpool_limits(1, "blas"):
            metrics = evaluate(
                challenger, holdout, champion_scorer, champion_ratio=config.gate_active_ratio
            )
        metrics["holdout"] = holdout.describe(fraction=config.holdout, seed=config.random_state)
        metrics["fit"] = {
            "start": "warm" if start.warm else "cold",
            "why": start.why,
            "iterations": start.iterations,
        }
        metrics["matrix"] = {
            "events_read": interactions.events,
            "incremental": bool(settings.FEED_MATRIX_INCREMENTAL),
        }
        if metrics["champion"] is not None:
            metrics["champion"] = {"version": champion.pk, **metrics["champion"]}
        verdict = quality_gate(
            metrics,
            rules=gates.Rules.of(config),
            min_held_out=config.gate_min_held_out,
            min_people=config.gate_min_people,
            champion_version=champion.pk if champion else None,
        )
        metrics["gate"] = verdict.as_metrics()
        if not verdict.passed:
            self._end_stage()
            registry.version_reject(version, verdict.reason, metrics=self._with_timings(metrics))
            self._record_cost(memory, metrics)
            return
        self.stage("artifact", "writing factors")

        def write_index(folder, arrays):
            self.stage("index", f"{items:,} posts")
            retrieval.write_index(arrays["item_factors"], folder)

        path = save_factor_model(
            version.kind,
            version.pk,
            user_factors=als.user_factors,
            item_factors=als.item_factors,
            user_ids=interactions.user_ids,
            post_ids=interactions.post_ids,
            meta={
                "params": config.fit_params(),
                "weights": asdict(self.weights),
                "max_event_id": interactions.max_event_id,
                "users": users,
                "items": items,
                "nonzeros": interactions.matrix.nnz,
                "created_at": timezone.now().isoformat(),
            },
            extras=write_index,
        )
        del als, holdout, interactions
        self.stage("activate", "")
        ready = registry.version_ready(
            version, artifact_path=str(path), metrics=self._with_timings(metrics)
        )
        if not ready:  # reaped while we worked: it must not serve
            delete_artifact(path)
            return
        registry.version_activate(version.pk)
        self._end_stage()
        self._record_cost(memory, metrics)
        registry.prune_artifacts(kind=version.kind)

    def _champion(self, post_ids):
        """The active version, its model and its scorer over these posts; Nones when nothing is
        active. An active version whose artifact cannot be read is still the champion (its
        data window bounds the hold-out) but cannot be scored: the gate then has nothing to
        compare with, which the stored metrics show (`champion` is None)."""
        active = registry.active_version(self.version.kind)
        if active is None:
            return None, None, None
        try:
            model = load_factor_model(active.artifact_path)
            return active, model, Scorer.from_artifact(model, post_ids)
        except (OSError, ValueError, KeyError) as error:
            log.error("cannot load the active v%s to compare with: %s", active.pk, error)
            return active, None, None

    def _with_timings(self, metrics: dict) -> dict:
        return {**metrics, "seconds": dict(self.seconds)}

    def _record(self, **fields) -> None:
        if not registry.version_update(self.version, **fields):
            raise RuntimeError("the run is no longer training (reaped by the time limit?)")

    def _record_cost(self, memory: PeakMemory, metrics: dict) -> None:
        """The whole run's wall time and peak memory, and the time of every stage."""
        ModelVersion.objects.filter(pk=self.version.pk).update(
            train_seconds=round(time.perf_counter() - self.started, 3),
            peak_memory_mb=memory.peak_mb(),
            metrics=self._with_timings(metrics),
        )


def train_version(version_id: int, *, progress: Progress | None = None) -> ModelVersion | None:
    """Run the pipeline for a queued version. Returns the version in its final state, or
    None when it was not queued (another delivery of the same task, or a reaped run): such a
    run is left alone, so running the task twice trains once."""
    return registry.train_queued(
        version_id, lambda version, progress: _Run(version, progress).execute(), progress=progress
    )
