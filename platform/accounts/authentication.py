"""How API clients prove who they are: DOT bearer tokens (and the session, for pages' htmx).

DOT's own class treats a bad token as "anonymous", so a client with an expired token reading
a public list would silently get the anonymous view. Here a presented token must be good:
otherwise 401 with a message saying what to do. The old `Token <key>` scheme of DRF's
authtoken is gone (its keys were stored in plain text and never expired); such a request is
told to sign in again.
"""

import hashlib
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.models import get_access_token_model
from rest_framework import exceptions

from flywheel.prepared import instance_from, prepared_cursor

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
        plain = plain_bearer(request)
        if plain is not None:
            return plain
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
    needed = needed_scope(request.method)
    if needed not in scopes:
        raise exceptions.PermissionDenied(
            f"This token was not granted the {needed} scope, which this request needs."
        )


def needed_scope(method: str) -> str:
    return "read" if method in ("GET", "HEAD", "OPTIONS") else "write"


def plain_bearer(request):
    """(user, token) for a request with a good bearer token holding the scope its method
    needs, in one prepared statement and without oauthlib's request machinery (about a third
    of a cheap page's time, and a tenth of the bots' requests' time); None for anything else
    (no or another scheme, unknown, expired, revoked, a token restricted to a resource, an
    application model that may refuse a token, a suspended person, a missing scope): the
    caller then takes DOT's path, which answers each of those with its message. The checks
    are DOT's `validate_bearer_token`'s."""
    if not _applications_always_usable():
        return None
    scheme, _, raw = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw or " " in raw:
        return None
    checksum = hashlib.sha256(raw.encode("utf-8")).hexdigest()
    found = _token_and_user(checksum)
    if found is None:
        return None
    token, user, unrestricted = found
    if not unrestricted or not token.is_valid([]):
        return None
    if not user.is_active or needed_scope(request.method) not in str(token.scope or "").split():
        return None
    return user, token


def _applications_always_usable() -> bool:
    """DOT asks the token's application `is_usable(request)`; ours (DOT's own model) always
    says yes. A swapped model might not: then every request takes DOT's path."""
    from oauth2_provider.models import AbstractApplication, get_application_model

    return get_application_model().is_usable is AbstractApplication.is_usable


def _token_and_user(checksum: str):
    """(token, its user, whether it is unrestricted by resource), or None."""
    tokens = get_access_token_model()
    if connection.vendor != "postgresql":
        token = tokens.objects.select_related("user").filter(token_checksum=checksum).first()
        if token is None or token.user is None:
            return None
        return token, token.user, not token.resource
    # In text, so that values reach the fields' own from_db_value as the ORM gives them.
    with prepared_cursor(binary=False) as cursor:
        cursor.execute(_token_sql(), {"checksum": checksum})
        row = cursor.fetchone()
    if row is None:
        return None
    token_id, expires, scope, application_id, unrestricted, *values = row
    fields = get_user_model()._meta.concrete_fields
    values = [
        field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value
        for field, value in zip(fields, values, strict=True)
    ]
    user = get_user_model().from_db(connection.alias, [f.attname for f in fields], values)
    known = {
        "id": token_id,
        "user_id": user.pk,
        "expires": expires,
        "scope": scope,
        "application_id": application_id,
    }
    token = instance_from(tokens, known)
    token.user = user
    return token, user, unrestricted


@cache
def _token_sql() -> str:
    tokens = get_access_token_model()._meta.db_table
    users = get_user_model()._meta
    columns = ", ".join(f'u."{field.column}"' for field in users.concrete_fields)
    return f"""
        SELECT t.id, t.expires, t.scope, t.application_id,
               jsonb_array_length(t.resource) = 0, {columns}
        FROM {tokens} t JOIN {users.db_table} u ON u.id = t.user_id
        WHERE t.token_checksum = %(checksum)s
    """


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
