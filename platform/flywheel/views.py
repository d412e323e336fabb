from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from flywheel.health import health, health_privileged, public_health


@never_cache
@require_GET
def livez(request):
    """Liveness: the process answers. No database or broker, so a load balancer can tell a
    dead web process from a sick dependency (that is /healthz)."""
    return JsonResponse({"ok": True})


@never_cache
@require_GET
def healthz(request):
    """JSON health; 503 when the database is down. Anyone gets the database's state, cached
    for HEALTH_CACHE_SECONDS; staff and callers with the HEALTH_TOKEN (header
    X-Health-Token) also get the broker and a worker ping (`?worker=0` skips the ping)."""
    if health_privileged(request):
        state = health(check_worker=request.GET.get("worker") != "0")
    else:
        state = public_health()
    return JsonResponse(state, status=200 if state["ok"] else 503)


@require_GET
def favicon(request):
    """The logo, for browsers that ask for /favicon.ico (the admin's pages name no icon).
    Resolved per request: with hashed static names the address exists only after
    collectstatic, not when the URLs are imported."""
    return HttpResponsePermanentRedirect(static("img/flywheel.svg"))
