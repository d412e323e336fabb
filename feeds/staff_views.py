"""The staff page of the model registry: every version side by side, retrain, activate."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from feeds import registry, training
from feeds.evaluation import metric_rows
from feeds.models import ModelKind, ModelVersion

SHOWN = 100


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


@require_GET
@staff_required
def models_page(request):
    versions = [
        {
            "version": version,
            "metrics": metric_rows(version.metrics),
            "can_activate": registry.can_activate(version),
        }
        for version in registry.version_list(limit=SHOWN)
    ]
    return render(
        request,
        "feeds/models.html",
        {
            "versions": versions,
            "total": ModelVersion.objects.count(),
            "shown": SHOWN,
            "active": registry.active_version(ModelKind.FEED_ALS),
            "running": registry.running_version(ModelKind.FEED_ALS),
        },
    )


@require_POST
@staff_required
def retrain_now(request):
    try:
        version = training.training_request(triggered_by=f"staff:{request.user.username}")
    except registry.AlreadyRunning as running:
        messages.warning(request, f"Not started: {running}.")
    else:
        messages.success(request, f"v{version.pk} is queued for training.")
    return redirect("feeds_staff:models")


@require_POST
@staff_required
def activate(request, version_id: int):
    try:
        version = registry.version_activate(version_id)
    except ModelVersion.DoesNotExist:
        messages.error(request, f"There is no version {version_id}.")
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"v{version.pk} is now the active version.")
    return redirect("feeds_staff:models")
