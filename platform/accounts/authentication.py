"""How API clients prove who they are: DOT bearer tokens (and the session, for pages' htmx).

DOT's own class treats a bad token as "anonymous", so a client with an expired token reading
a public list would silently get the anonymous view. Here a presented token must be good:
otherwise 401 with a message saying what to do. The old `Token <key>` scheme of DRF's
authtoken is gone (its keys were stored in plain text and never expired); such a request is
told to sign in again.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions

SIGN_IN_AGAIN = "Get a new one from POST /api/auth/token/ and send it as Authorization: Bearer."


class BearerTokenAuthentication(OAuth2Authentication):
    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme = header.split(" ", 1)[0].lower()
        if scheme == "token":
            raise exceptions.AuthenticationFailed(
                f"Flywheel's API tokens changed and old ones no longer work. {SIGN_IN_AGAIN}"
            )
        if scheme != "bearer":
            return None
        authenticated = super().authenticate(request)
        if authenticated is None:
            raise exceptions.AuthenticationFailed(
                f"This token is not valid: it expired, was revoked or never existed. "
                f"{SIGN_IN_AGAIN}"
            )
        user, token = authenticated
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed("This account is suspended or deleted.")
        require_native_scope(request, token)
        return user, token


def require_native_scope(request, token) -> None:
    """The native API knows only the top-level scopes: reading needs `read`, anything else
    `write`. Username-and-password tokens hold every scope; an OAuth app's token (the
    Mastodon API's) holds what the person granted, and no more here than there."""
    scopes = set(str(token.scope or "").split())
    needed = "read" if request.method in ("GET", "HEAD", "OPTIONS") else "write"
    if needed not in scopes:
        raise exceptions.PermissionDenied(
            f"This token was not granted the {needed} scope, which this request needs."
        )


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema (and its Swagger UI) describes the bearer tokens."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from POST /api/auth/token/ (or an OAuth 2 app's).",
        }
