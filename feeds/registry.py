"""The model registry: the life of a training run and which version serves.

    queued -> training -> ready -> active -> retired
                     \\-> rejected (its quality gate said no)
    queued/training  -> failed (an error, or no result within TRAINING_TIME_LIMIT)

Two partial unique indexes on ModelVersion make the database, not a hope, decide races: at
most one version of a kind is queued or training (the one-training lock), and at most one is
active. Every transition is a conditional UPDATE from the state it expects, so a run that the
reaper already failed can never come back and activate itself.
"""

import importlib
import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from feeds import artifact_store, conf
from feeds.artifacts import delete_artifact, version_dir
from feeds.models import ModelKind, ModelVersion
from flywheel import enqueue
from flywheel.recent import forget_recent

log = logging.getLogger(__name__)
State = ModelVersion.State
RUNNING = (State.QUEUED, State.TRAINING)
TRAINED = (State.READY, State.ACTIVE, State.RETIRED, State.REJECTED)
ACTIVATABLE = (State.READY, State.RETIRED)
# A queued run whose training has not started this long after is looked at by resend_unsent.
RESEND_AFTER = timedelta(minutes=2)
# Sent when a feed model activates; by name, as every task the registry sends (the tasks
# modules import the registry and the training modules, never the reverse).
PRECOMPUTE_TASK = "feeds.precompute_candidates"


class AlreadyRunning(Exception):
    """A version of this kind is already queued or training: the new trigger is not needed."""

    def __init__(self, version: ModelVersion | None):
        self.version = version
        which = f"v{version.pk} is" if version else "another run is"
        super().__init__(f"{which} already queued or training")


# Kinds: each kind of model has a training module with the same interface
# (training_request, train_version, retrain_if_due, retrain_on_schedule, and TASK: the name
# of the Celery task that trains a queued version, which send_training sends), so the
# triggers, the staff pages and `manage.py retrain` serve every kind the same way. Each
# gates its versions with feeds.gates.judge: the active version scored on the new one's
# hold-out. The feed model is feeds' own; apps above feeds add theirs with register_kind
# (ads, the ad targeter, from AdsConfig.ready()).
TRAINERS = {
    ModelKind.FEED_ALS: "feeds.training",
    ModelKind.FEED_RANKER: "feeds.ranker_training",
}


# Each kind's evaluation module (with `metric_rows(metrics)`: metric, this version, the
# baseline and the active version then, all on the same hold-out) and its baseline's name.
EVALUATIONS = {
    ModelKind.FEED_ALS: ("feeds.evaluation", "popularity"),
    ModelKind.FEED_RANKER: ("feeds.ranker_evaluation", "hand blend"),
}


def register_kind(kind: str, *, training: str, evaluation: str, baseline: str) -> None:
    """Add a kind of model: the dotted names of its training and evaluation modules (loaded
    when first used) and its baseline's name."""
    TRAINERS[ModelKind(kind)] = training
    EVALUATIONS[ModelKind(kind)] = (evaluation, baseline)


def trainer(kind: str):
    """The training module of a kind of model."""
    return importlib.import_module(TRAINERS[ModelKind(kind)])


def metric_rows(version: ModelVersion) -> list[tuple]:
    """(metric, this version, its baseline, the version active then) for display, whatever
    the kind; all three measured on this version's hold-out."""
    module, _ = EVALUATIONS[ModelKind(version.kind)]
    return importlib.import_module(module).metric_rows(version.metrics)


def baseline_label(kind: str) -> str:
    return EVALUATIONS[ModelKind(kind)][1]


# Reads


def active_version(kind: str = ModelKind.FEED_ALS) -> ModelVersion | None:
    return ModelVersion.objects.filter(kind=kind, state=State.ACTIVE).first()


def running_version(kind: str = ModelKind.FEED_ALS) -> ModelVersion | None:
    return ModelVersion.objects.filter(kind=kind, state__in=RUNNING).first()


def latest_trained_version(kind: str = ModelKind.FEED_ALS) -> ModelVersion | None:
    """The newest run that got as far as a verdict (the data window new events count from)."""
    return ModelVersion.objects.filter(kind=kind, state__in=TRAINED).order_by("-id").first()


def version_list(*, limit: int = 100, kind: str | None = None):
    """The newest versions (of one kind, or of every kind), for the staff page."""
    versions = ModelVersion.objects.order_by("-id")
    return (versions.filter(kind=kind) if kind else versions)[:limit]


def can_activate(version: ModelVersion) -> bool:
    return version.state in ACTIVATABLE and artifact_exists(version)


def artifact_exists(version: ModelVersion) -> bool:
    return artifact_store.exists(version.artifact_path)


# Transitions


def version_queue(*, kind: str, triggered_by: str, params: dict) -> ModelVersion:
    """Create a queued run under the one-training lock.

    The insert itself is the lock: the partial unique index lets one queued-or-training row
    per kind exist, and the loser of a race gets an IntegrityError, which means "already
    running". Raises AlreadyRunning.
    """
    for _ in range(2):
        try:
            with transaction.atomic():
                return ModelVersion.objects.create(
                    kind=kind, state=State.QUEUED, params=params, triggered_by=triggered_by[:100]
                )
        except IntegrityError:
            existing = running_version(kind)
            if existing is not None:
                raise AlreadyRunning(existing) from None
            # The run that held the lock finished between our insert and our look: try again.
    raise AlreadyRunning(running_version(kind))


def version_start(version_id: int) -> ModelVersion | None:
    """queued -> training. None when the run is not queued (already started, finished,
    reaped or deleted): the caller leaves it alone, which makes the task idempotent."""
    started = ModelVersion.objects.filter(pk=version_id, state=State.QUEUED).update(
        state=State.TRAINING, started_at=timezone.now()
    )
    return ModelVersion.objects.get(pk=version_id) if started else None


def version_update(version: ModelVersion, **fields) -> bool:
    """Record facts about a run while it is training; False if it no longer is."""
    for name, value in fields.items():
        setattr(version, name, value)
    return bool(ModelVersion.objects.filter(pk=version.pk, state=State.TRAINING).update(**fields))


def _finish(version: ModelVersion, state: str, *, reason: str = "", **fields) -> bool:
    fields.update(state=state, reason=reason[:2000], finished_at=timezone.now())
    done = version_update(version, **fields)
    if done:
        log.info("%s v%s %s %s", version.kind, version.pk, state, reason)
    return done


def version_ready(version: ModelVersion, **fields) -> bool:
    """training -> ready, with its artifact written. False if the run was reaped meanwhile."""
    return _finish(version, State.READY, **fields)


def version_reject(version: ModelVersion, reason: str, **fields) -> bool:
    return _finish(version, State.REJECTED, reason=reason, **fields)


def publish(version: ModelVersion, verdict, *, metrics: dict, stage, memory, write) -> bool:
    """The end of a gated run, whatever the kind: a version the gate refused is rejected;
    one it passed has its artifact written (`write()`, returning its folder), is ready, and
    becomes the active one. `stage` (feeds.stages.Stages) and `memory` give the run's cost.
    True when the version went live."""
    metrics["gate"] = verdict.as_metrics()
    if not verdict.passed:
        version_reject(version, verdict.reason, **stage.cost(memory, metrics))
        return False
    stage("artifact", "writing the model")
    path = write()
    if not version_ready(version, artifact_path=str(path), **stage.cost(memory, metrics)):
        delete_artifact(path)  # reaped while we worked: it must not serve
        return False
    version_activate(version.pk)
    prune_artifacts(kind=version.kind)
    return True


def version_fail(version: ModelVersion, reason: str) -> bool:
    fields = {"state": State.FAILED, "reason": reason[:2000], "finished_at": timezone.now()}
    failed = ModelVersion.objects.filter(pk=version.pk, state__in=RUNNING).update(**fields)
    if failed:
        log.warning("%s v%s failed: %s", version.kind, version.pk, reason)
    return bool(failed)


def version_activate(version_id: int) -> ModelVersion:
    """Make a ready or retired version the active one, retiring the one before, in one
    transaction. Also the rollback: activating an older retired version brings it back.

    Raises ValidationError when the version is not servable (wrong state, artifact gone).
    """
    for attempt in range(3):
        try:
            with transaction.atomic():
                version = ModelVersion.objects.select_for_update().get(pk=version_id)
                if version.state == State.ACTIVE:
                    return version
                if version.state not in ACTIVATABLE:
                    raise ValidationError(
                        f"v{version.pk} is {version.get_state_display().lower()}; only a ready "
                        "or retired version can be activated."
                    )
                if not artifact_exists(version):
                    raise ValidationError(f"v{version.pk} has no artifact left to serve.")
                ModelVersion.objects.filter(kind=version.kind, state=State.ACTIVE).update(
                    state=State.RETIRED
                )
                version.state = State.ACTIVE
                version.activated_at = timezone.now()
                version.save(update_fields=["state", "activated_at"])
                log.info("%s v%s is now active", version.kind, version.pk)
                # This process serves it at once; the others within their refresh period.
                transaction.on_commit(forget_recent)
                if version.kind == ModelKind.FEED_ALS:
                    # Broker away: the per-minute refresh stores them instead.
                    enqueue.send_on_commit(PRECOMPUTE_TASK)
                return version
        except IntegrityError:
            # Two activations at once: the other one won the active slot. Ours goes after it.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def reap_stale_runs(*, kind: str | None = None, now=None) -> list[int]:
    """Fail runs stuck in queued or training past TRAINING_TIME_LIMIT: their worker was
    killed or lost. This frees the one-training lock so the next trigger trains again."""
    now = now or timezone.now()
    limit = timedelta(seconds=settings.TRAINING_TIME_LIMIT)
    stale = ModelVersion.objects.filter(state__in=RUNNING).filter(
        Q(started_at__lt=now - limit) | Q(started_at__isnull=True, created_at__lt=now - limit)
    )
    if kind:
        stale = stale.filter(kind=kind)
    reaped = []
    for version in stale.only("id", "kind"):
        reason = (
            f"No result within the training time limit ({limit}): the worker was probably "
            "killed or lost."
        )
        if version_fail(version, reason):
            reaped.append(version.pk)
            # A killed run may have left a half-written artifact under a temporary name.
            folder = version_dir(version.kind, version.pk)
            for leftover in folder.parent.glob(f"{folder.name}.tmp-*"):
                delete_artifact(leftover)
    return reaped


def resend_unsent(*, now=None) -> list[int]:
    """Send again the runs queued at least RESEND_AFTER ago whose message the broker never
    got (it was away when they were queued: flywheel.enqueue). Only while the training queue
    is empty: a run waiting behind a long training still has its message there. A message
    sent twice is harmless: train_version trains a queued version only once."""
    now = now or timezone.now()
    waiting = ModelVersion.objects.filter(
        state=State.QUEUED, created_at__lt=now - RESEND_AFTER
    ).order_by("id")
    if not waiting.exists() or enqueue.waiting_messages("training") != 0:
        return []
    return [version.pk for version in waiting.only("id", "kind") if send_training(version)]


def send_training(version: ModelVersion) -> bool:
    """Send the training task of a queued version now; False (logged) when the broker is
    away. The one way a training is sent, by the task's name (its kind's `TASK`)."""
    return enqueue.send(trainer(version.kind).TASK, version.pk)


def send_training_on_commit(version: ModelVersion) -> None:
    """Send the training of a version queued in this transaction once it commits."""
    enqueue.send_on_commit(trainer(version.kind).TASK, version.pk)


def prune_artifacts(*, kind: str = ModelKind.FEED_ALS, keep: int | None = None) -> list[int]:
    """Delete the artifacts of all but the `keep` newest versions (FEED_KEEP_VERSIONS), and
    never the active one's. Rows stay, with their metrics; only the files go."""
    keep = conf.get("FEED_KEEP_VERSIONS") if keep is None else keep
    with_files = (
        ModelVersion.objects.filter(kind=kind)
        .exclude(artifact_path="")
        .order_by("-id")
        .values_list("id", "state")
    )
    doomed = [pk for n, (pk, state) in enumerate(with_files) if n >= keep and state != "active"]
    pruned = []
    for pk in doomed:
        # Lock the row so a rollback to it either finishes first (and we skip an active
        # version) or sees the path cleared and refuses.
        with transaction.atomic():
            version = ModelVersion.objects.select_for_update().filter(pk=pk).first()
            if version is None or version.state == State.ACTIVE or not version.artifact_path:
                continue
            path = version.artifact_path
            version.artifact_path = ""
            version.save(update_fields=["artifact_path"])
        delete_artifact(path)
        pruned.append(pk)
    return pruned


# The rules every kind shares


def queue_training(
    kind: str, *, params: dict, triggered_by: str, enqueue: bool = True
) -> ModelVersion:
    """Queue a run of `kind` under the one-training lock (a dead run's lock is reaped
    first); its Celery task is sent after the transaction commits. Raises AlreadyRunning."""
    reap_stale_runs(kind=kind)
    version = version_queue(kind=kind, triggered_by=triggered_by, params=params)
    if enqueue:
        send_training_on_commit(version)
    return version


def train_queued(version_id: int, run: Callable, *, progress=None) -> ModelVersion | None:
    """Start a queued version and `run(version, progress)` it; any error fails the version.
    None when the version was not queued (another delivery of the same task, or a reaped
    run): it is left alone, so running the task twice trains once."""
    version = version_start(version_id)
    if version is None:
        log.info("v%s is not queued; leaving it alone", version_id)
        return None
    try:
        run(version, progress)
    except Exception as error:  # includes Celery's SoftTimeLimitExceeded
        log.exception("training %s v%s failed", version.kind, version_id)
        version_fail(version, f"{type(error).__name__}: {error}")
    return ModelVersion.objects.filter(pk=version_id).first()  # None if deleted meanwhile


def due_for_retrain(
    kind: str,
    *,
    new_events: Callable[[int, int], int],
    threshold: int,
    min_interval_seconds: int,
    now=None,
) -> bool:
    """The data trigger, debounced: `threshold` new events (counted by `new_events(since
    event id, at_least)`) since the last trained version; never while a run is queued or
    training, never sooner than `min_interval_seconds` after the previous run began."""
    now = now or timezone.now()
    if running_version(kind):
        return False
    latest = ModelVersion.objects.filter(kind=kind).order_by("-id").first()
    if latest is not None and latest.created_at > now - timedelta(seconds=min_interval_seconds):
        return False
    trained = latest_trained_version(kind)
    since = trained.max_event_id if trained else 0
    return new_events(since, threshold) >= threshold
