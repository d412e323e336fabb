"""What every Mastodon endpoint shares: bearer tokens only, a scope per method, Mastodon's
error shape (`{"error": "..."}`, 422 for bad input), and the rate-limit headers.

The rate-limit headers come from the same DRF throttles as the rest of the API (THROTTLE_USER,
THROTTLE_ANON): X-RateLimit-Limit is the throttle's count, -Remaining what is left of it in its
window, -Reset when the oldest request in the window ages out (ISO 8601, as Mastodon sends).
"""

from datetime import UTC, datetime

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions
from rest_framework.views import APIView

from accounts.authentication import BearerTokenAuthentication
from flywheel.api import as_api_exception
from flywheel.api import exception_handler as flywheel_exception_handler
from mastodon_api.scopes import RequireScope

INVALID_TOKEN = "The access token is invalid"


def error_message(data) -> str:
    """One sentence from DRF's error body (a detail, or messages per field)."""
    if isinstance(data, dict):
        if "detail" in data:
            return error_message(data["detail"])
        parts = [f"{field}: {error_message(messages)}" for field, messages in data.items()]
        return "; ".join(parts)
    if isinstance(data, list | tuple):
        return " ".join(error_message(item) for item in data)
    return str(data)


def mastodon_exception_handler(exc, context):
    invalid = isinstance(as_api_exception(exc), exceptions.ValidationError)
    response = flywheel_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    body = {"error": error_message(data)}
    if invalid:
        response.status_code = 422  # Mastodon's answer to input it cannot accept
        body["error"] = f"Validation failed: {body['error']}"
        if isinstance(data, dict):
            body["details"] = data
    if response.status_code == 401:
        body["error"] = f"{INVALID_TOKEN}: {body['error']}"
    if isinstance(data, dict) and "retry_after" in data:
        body["retry_after"] = data["retry_after"]
    response.data = body
    return response


class AppOrUserTokenAuthentication(BearerTokenAuthentication):
    """Bearer tokens, including an app's own (client credentials), which have no person:
    such a request is anonymous to the views but holds the token's scopes."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header.split(" ", 1)[0].lower() != "bearer":
            return super().authenticate(request)  # no token, or the old scheme's message
        authenticated = OAuth2Authentication.authenticate(self, request)
        if authenticated is None:
            raise exceptions.AuthenticationFailed("it expired, was revoked or never existed")
        user, token = authenticated
        if user is None:
            return AnonymousUser(), token
        if not user.is_active:
            raise exceptions.AuthenticationFailed("This account is suspended or deleted.")
        return user, token


class AppOrUserTokenScheme(OpenApiAuthenticationExtension):
    target_class = AppOrUserTokenAuthentication
    name = "mastodonBearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from /oauth/token (or POST /api/auth/token/); an app's "
            "own token (client credentials) reads what needs no person.",
        }


class MastodonView(APIView):
    """Base of every Mastodon endpoint. `required_scopes` maps an HTTP method to the scope it
    needs (None: anyone, even without a token)."""

    authentication_classes = [AppOrUserTokenAuthentication]
    permission_classes = [RequireScope]
    required_scopes: dict[str, str | None] = {}
    may_be_missing = False  # what it names may not exist (404) though its path has no id

    @property
    def schema_errors(self) -> dict:
        # A token without the scope gets 403, bad input 422, on any method.
        codes = {403, 422, 404} if self.may_be_missing else {403, 422}
        return {method.lower(): codes for method in self.http_method_names}

    def get_exception_handler(self):
        return mastodon_exception_handler

    def get_throttles(self):
        if not hasattr(self, "_throttles"):
            self._throttles = super().get_throttles()
        return self._throttles

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for throttle in getattr(self, "_throttles", ()):
            history = getattr(throttle, "history", None)
            if history is None or not getattr(throttle, "num_requests", None):
                continue  # this throttle does not apply to the request (not its kind)
            reset = (history[-1] if history else throttle.now) + throttle.duration
            response["X-RateLimit-Limit"] = str(throttle.num_requests)
            response["X-RateLimit-Remaining"] = str(max(0, throttle.num_requests - len(history)))
            response["X-RateLimit-Reset"] = datetime.fromtimestamp(reset, tz=UTC).isoformat()
            break
        return response
