"""The staff page of the model registry: every version side by side, retrain, activate."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from feeds import registry, training
from feeds.models import ModelKind, ModelVersion

SHOWN = 100
OPERATE = "feeds.change_modelversion"  # retrain and activate; viewing needs staff only


def staff_required(view):
    """Anonymous people go to the login page; signed-in people who are not staff get 403."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


def _kind(request) -> str:
    """The kind of model the page is about (?kind=, or a form's kind); the feed model's by
    default."""
    chosen = request.POST.get("kind") or request.GET.get("kind") or ModelKind.FEED_ALS
    return chosen if chosen in ModelKind.values else ModelKind.FEED_ALS


def _models_url(kind: str) -> str:
    url = reverse("feeds_staff:models")
    return url if kind == ModelKind.FEED_ALS else f"{url}?kind={kind}"


def holdout_words(metrics: dict) -> str:
    """Which hold-out a version was judged on, in words."""
    holdout = (metrics or {}).get("holdout")
    if not holdout:
        return ""
    if "examples" in holdout:  # the learned ranker's: posts served, by serving order
        after = holdout.get("after_served_id")
        newer = f", all served after #{after} (what the active version never saw)" if after else ""
        return (
            f"Judged on the {holdout['examples']:,} newest posts served and seen, by "
            f"{holdout['people']:,} people{newer}."
        )
    size = (
        f"{holdout['pairs']:,} people x campaigns shown"
        if "pairs" in holdout
        else f"{holdout['interactions']:,} interactions of {holdout['people']:,} people"
    )
    champion = (metrics.get("champion") or {}).get("version")
    newer = (
        f", all newer than event #{holdout['after_event_id']} (what the active version"
        f"{f' v{champion}' if champion else ''} never saw)"
        if holdout.get("after_event_id")
        else ""
    )
    return f"Judged on {size}{newer}, events up to #{holdout['max_event_id']}."


# How the versions table heads the metrics that are not already words (recall@20 is).
METRIC_LABELS = {"auc": "AUC", "log_loss": "log-loss", "person_auc": "AUC within a person"}


def _row(version: ModelVersion) -> dict:
    metrics = version.metrics or {}
    return {
        "version": version,
        "metrics": registry.metric_rows(version),
        "champion": (metrics.get("champion") or {}).get("version"),
        "checks": (metrics.get("gate") or {}).get("checks", []),
        "holdout": holdout_words(metrics),
        "can_activate": registry.can_activate(version),
    }


@require_GET
@staff_required
def models_page(request):
    kind = _kind(request)
    versions = [_row(version) for version in registry.version_list(limit=SHOWN, kind=kind)]
    return render(
        request,
        "feeds/models.html",
        {
            "versions": versions,
            "total": ModelVersion.objects.filter(kind=kind).count(),
            "shown": SHOWN,
            "active": registry.active_version(kind),
            "running": registry.running_version(kind),
            "kind": kind,
            "kind_label": ModelKind(kind).label,
            "kinds": [(value, label, _models_url(value)) for value, label in ModelKind.choices],
            "baseline_label": registry.baseline_label(kind),
            "metric_labels": [
                METRIC_LABELS.get(row[0], row[0])
                for row in (versions[0]["metrics"] if versions else [])
            ],
            "may_operate": request.user.has_perm(OPERATE),
        },
    )


def _require_operate(request) -> None:
    if not request.user.has_perm(OPERATE):
        raise PermissionDenied(
            "Retraining and activating models need the permission to change model versions."
        )


@require_POST
@staff_required
def retrain_now(request):
    _require_operate(request)
    kind = _kind(request)
    try:
        version = registry.trainer(kind).training_request(
            kind=kind, triggered_by=f"staff:{request.user.username}"
        )
    except (registry.AlreadyRunning, training.NotBuilt) as refused:
        messages.warning(request, f"Not started: {refused}.")
    else:
        messages.success(request, f"v{version.pk} is queued for training.")
    return redirect(_models_url(kind))


@require_POST
@staff_required
def activate(request, version_id: int):
    _require_operate(request)
    try:
        version = registry.version_activate(version_id)
    except ModelVersion.DoesNotExist:
        messages.error(request, f"There is no version {version_id}.")
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"v{version.pk} is now the active version.")
    return redirect("feeds_staff:models")
