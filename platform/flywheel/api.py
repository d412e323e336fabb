"""Project-wide API conventions: every error is JSON with a message a person can read."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    # Services raise Django's ValidationError; the API answers it as a 400 like DRF's own.
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = serializers.ValidationError(detail)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.Throttled) and exc.wait:
        response.data = {
            "detail": f"Too many requests. Try again in {int(exc.wait) + 1} seconds.",
            "retry_after": int(exc.wait) + 1,
        }
    return response
