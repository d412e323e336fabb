"""Project-wide API conventions: every error is JSON with a message a person can read."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler

from flywheel.errors import NotFound
from flywheel.ratelimit import RateLimited


def as_api_exception(exc):
    """Translate the errors services raise into DRF's, keeping their messages."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return serializers.ValidationError(detail)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, NotFound):
        return exceptions.NotFound(str(exc))
    if isinstance(exc, RateLimited):
        return exceptions.Throttled(wait=exc.retry_after, detail=str(exc))
    if isinstance(exc, SuspiciousOperation):
        # A body Django refuses to read (too many fields, too large): a JSON 400 like any
        # other bad input, not the site's HTML error page.
        return exceptions.ParseError(f"The request body cannot be read: {exc}")
    return exc


def exception_handler(exc, context):
    context = {**context, "raised": exc}
    exc = as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.Throttled) and exc.wait:
        if isinstance(context.get("raised"), RateLimited):
            # Our message already says when to try again; DRF would append it a second time.
            response.data["detail"] = str(context["raised"])
        response.data["retry_after"] = int(exc.wait)
    return response


@csrf_exempt  # nothing here to protect: it only ever answers 404
def no_such_endpoint(request, *args, **kwargs):
    """Any address under /api/ that names no endpoint (or an id of the wrong type): a JSON 404
    like every other API error, not the site's HTML page."""
    return JsonResponse({"detail": "There is no such API endpoint."}, status=404)
