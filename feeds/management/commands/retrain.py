"""`manage.py retrain feeds|ads|ranker`: one training run in the foreground, for operators.

Exit status 0 when the run trained (whether its gate made it active or rejected it), 1 when it
failed or another run holds the lock, 2 for a model that cannot be trained yet.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from feeds import registry, training
from feeds.models import ModelKind, ModelVersion

BAR_WIDTH = 30
KINDS = {
    "feeds": ModelKind.FEED_ALS,
    "ads": ModelKind.AD_TARGETER,
    "ranker": ModelKind.FEED_RANKER,
}


class ProgressBar:
    """[#########.....................]  31%  fit 4/15  12.0 s

    Redrawn in place on a terminal; one line per stage otherwise (logs, pipes)."""

    def __init__(self, stream, interactive: bool):
        self.stream = stream
        self.interactive = interactive
        self.started = time.perf_counter()
        self.last_stage = None

    def __call__(self, stage: str, done: float, detail: str) -> None:
        filled = round(done * BAR_WIDTH)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        elapsed = time.perf_counter() - self.started
        line = f"[{bar}] {done:4.0%}  {stage:<8} {detail}  {elapsed:.1f} s"
        if self.interactive:
            self.stream.write(f"\r{line:<100}", ending="")
            self.stream.flush()
        elif stage != self.last_stage:
            self.stream.write(line)
        self.last_stage = stage

    def close(self, version: ModelVersion | None) -> None:
        if version is not None and version.state != ModelVersion.State.FAILED:
            self("done", 1.0, version.get_state_display().lower())
        if self.interactive:
            self.stream.write("")


def _figure(value) -> str:
    return "-" if value is None else f"{value:.4f}"


def _als_params(params: dict) -> str:
    return (
        f"factors {params.get('factors')}, regularization {params.get('regularization')}, "
        f"alpha {params.get('alpha')}, iterations {params.get('iterations')}"
    )


# For each kind: (what it learnt from, its settings, what it was judged on).
SUMMARIES = {
    ModelKind.FEED_ALS: lambda v, m: (
        f"{v.users:,} people x {v.items:,} posts, {v.nonzeros:,} interactions "
        f"(events up to #{v.max_event_id})",
        _als_params(v.params),
        f"{m.get('eval_users', 0):,} people, {m.get('held_out', 0):,} recent interactions held out",
    ),
    ModelKind.AD_TARGETER: lambda v, m: (
        f"{v.users:,} people x {v.items:,} campaigns, {v.nonzeros:,} clicked "
        f"(events up to #{v.max_event_id})",
        _als_params(v.params),
        f"{m.get('eval_pairs', 0):,} newest people x campaigns, "
        f"{m.get('held_out_clicks', 0):,} of them clicked",
    ),
    ModelKind.FEED_RANKER: lambda v, m: (
        f"{v.items:,} posts served and seen by {v.users:,} people, {v.nonzeros:,} engaged "
        f"with (served posts up to #{v.max_event_id})",
        f"{v.params.get('iterations')} trees of {v.params.get('leaves')} leaves, "
        f"learning rate {v.params.get('learning_rate')}",
        f"the {m.get('eval_examples', 0):,} newest examples, "
        f"{m.get('held_out_engaged', 0):,} of them engaged with",
    ),
}


class Command(BaseCommand):
    help = "Train a model now, in the foreground, and say whether the new version serves."

    def add_arguments(self, parser):
        parser.add_argument("model", choices=list(KINDS), help="which model to train")
        parser.add_argument("--factors", type=int)
        parser.add_argument("--iterations", type=int)
        parser.add_argument("--regularization", type=float)
        parser.add_argument("--alpha", type=float)
        parser.add_argument("--no-progress", action="store_true", help="no progress display")

    def handle(self, *args, model, no_progress, **options):
        kind = KINDS[model]
        trainer = registry.trainer(kind)
        names = ("factors", "iterations", "regularization", "alpha")
        overrides = {name: options[name] for name in names if options.get(name) is not None}
        try:
            version = trainer.training_request(
                kind=kind, triggered_by="command", overrides=overrides, enqueue=False
            )
        except registry.AlreadyRunning as running:
            raise CommandError(f"Not started: {running}.", returncode=1) from None
        except training.NotBuilt as missing:
            raise CommandError(str(missing), returncode=2) from None
        except ValueError as unknown:  # a setting this kind of model does not have
            raise CommandError(f"{model}: {unknown}", returncode=2) from None
        self.stdout.write(f"Training {version.get_kind_display()} v{version.pk}")
        progress = None
        if not no_progress:
            progress = ProgressBar(self.stdout, self.stdout.isatty())
        queued, version = version, None
        try:
            version = trainer.train_version(queued.pk, progress=progress)
        finally:
            if progress:
                progress.close(version)
        if version is None:
            raise CommandError(f"v{queued.pk} was taken by someone else.", returncode=1)
        self.report(version)
        if version.state not in (ModelVersion.State.ACTIVE, ModelVersion.State.REJECTED):
            raise CommandError(f"v{version.pk} {version.state}: {version.reason}", returncode=1)

    def report(self, version: ModelVersion) -> None:
        write = self.stdout.write
        write(f"\nv{version.pk}: {version.get_state_display()}")
        data, params, evaluated = SUMMARIES[ModelKind(version.kind)](version, version.metrics)
        write(f"  data      {data}")
        write(f"  params    {params}")
        if version.metrics.get("model"):
            write(f"  evaluated on {evaluated}")
            baseline = registry.baseline_label(version.kind)
            self.comparison(version.metrics, registry.metric_rows(version), baseline)
        if version.train_seconds is not None:
            write(
                f"  trained in {version.train_seconds:.1f} s, peak memory "
                f"{version.peak_memory_mb or 0:,.0f} MB"
            )
        if version.state == ModelVersion.State.ACTIVE:
            write(self.style.SUCCESS(f"v{version.pk} is now the active version."))
        elif version.state == ModelVersion.State.REJECTED:
            write(self.style.WARNING(f"v{version.pk} was rejected: {version.reason}"))
            active = registry.active_version(version.kind)
            write(f"The active version is still {f'v{active.pk}' if active else 'none'}.")
        else:
            self.stderr.write(f"v{version.pk} {version.state}: {version.reason}")

    def comparison(self, metrics: dict, rows, baseline: str) -> None:
        """The new version, the baseline and the active version on the same hold-out."""
        write = self.stdout.write
        champion = metrics.get("champion")
        active = f"active v{champion['version']}" if champion else "no active version"
        write(f"  {'metric':<12}{'model':>10}{baseline:>16}{active:>20}")
        for name, ours, base, theirs in rows:
            write(f"  {name:<12}{_figure(ours):>10}{_figure(base):>16}{_figure(theirs):>20}")
