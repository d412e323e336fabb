"""How API clients prove who they are: DOT bearer tokens (and the session, for pages' htmx).

DOT's own class treats a bad token as "anonymous", so a client with an expired token reading
a public list would silently get the anonymous view. Here a presented token must be good:
otherwise 401 with a message saying what to do. The old `Token <key>` scheme of DRF's
authtoken is gone (its keys were stored in plain text and never expired); such a request is
told to sign in again.
"""

import hashlib

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.models import get_access_token_model
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


def plain_bearer_read(request):
    """(user, token) for a GET with a good bearer token that may read, in one query and
    without oauthlib's request machinery (about a third of a cheap page's time); None for
    anything else (no or another scheme, unknown, expired, revoked, a token restricted to a
    resource, an application not usable, a suspended person, no `read` scope): the caller
    then takes DRF's path, which answers each of those with its message. The checks are
    DOT's `validate_bearer_token` for the application model we use."""
    if request.method != "GET":
        return None
    scheme, _, raw = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw or " " in raw:
        return None
    checksum = hashlib.sha256(raw.encode("utf-8")).hexdigest()
    token = (
        get_access_token_model()
        .objects.select_related("application", "user")
        .filter(token_checksum=checksum)
        .first()
    )
    if token is None or not token.is_valid([]) or token.resource:
        return None
    if token.application is not None and not token.application.is_usable(None):
        return None
    user = token.user
    if user is None or not user.is_active or "read" not in str(token.scope or "").split():
        return None
    return user, token


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
