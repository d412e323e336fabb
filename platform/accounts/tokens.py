"""API tokens: django-oauth-toolkit's access tokens, one token system for every client.

`POST /api/auth/token/` (and sign-up) issue an access token of the built-in first-party
application with every scope; the Mastodon-compatible OAuth 2 flows will issue tokens of the
same model. Tokens are stored hashed (DOT's COMPLIANT_BCP_RFC9700_TOKEN_STORAGE: the `token`
column stays blank and only its SHA-256 checksum, the lookup key, is kept), expire after
API_TOKEN_LIFETIME, are listed and revoked by their owner, and are all revoked when the
password changes.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from oauth2_provider.models import (
    clear_expired,
    get_access_token_model,
    get_application_model,
    get_refresh_token_model,
    set_token_value,
)
from oauth2_provider.settings import oauth2_settings
from oauthlib.common import generate_token

from flywheel.errors import NotFound

FIRST_PARTY_CLIENT_ID = "flywheel-first-party"
FIRST_PARTY_NAME = "Flywheel (username and password)"


@dataclass(frozen=True)
class IssuedToken:
    """The raw token is known only here, once: the database keeps its checksum."""

    raw: str
    id: int
    expires: datetime
    scope: str


def all_scopes() -> str:
    """The top-level scopes (each grants its sub-scopes: accounts.oauth_scopes)."""
    return " ".join(scope for scope in oauth2_settings.SCOPES if ":" not in scope)


def first_party_application():
    """The built-in application that username-and-password tokens belong to. Its secret is
    random and never shown (stored hashed), so no one can use it at the OAuth endpoints."""
    Application = get_application_model()
    existing = Application.objects.filter(client_id=FIRST_PARTY_CLIENT_ID).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Application.objects.create(
                client_id=FIRST_PARTY_CLIENT_ID,
                client_secret=make_password(get_random_string(64)),
                name=FIRST_PARTY_NAME,
                client_type=Application.CLIENT_CONFIDENTIAL,
                authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
                skip_authorization=True,
            )
    except IntegrityError:  # created by a concurrent request a moment ago
        return Application.objects.get(client_id=FIRST_PARTY_CLIENT_ID)


def token_issue(*, user) -> IssuedToken:
    """A new access token for the person, with every scope, valid for API_TOKEN_LIFETIME."""
    token, raw = _new_token(user.pk, first_party_application())
    token.save()
    return IssuedToken(raw=raw, id=token.pk, expires=token.expires, scope=token.scope)


def tokens_issue_many(user_ids) -> dict[int, str]:
    """`token_issue` for many people at once, in one insert: their raw tokens by person (for
    accounts made in bulk, which would otherwise each sign in with their password)."""
    application = first_party_application()
    made = {user_id: _new_token(user_id, application) for user_id in user_ids}
    get_access_token_model().objects.bulk_create(
        (token for token, _ in made.values()), batch_size=2000
    )
    return {user_id: raw for user_id, (_, raw) in made.items()}


def _new_token(user_id: int, application):
    token = get_access_token_model()(
        user_id=user_id,
        application=application,
        expires=timezone.now() + timedelta(seconds=settings.API_TOKEN_LIFETIME),
        scope=all_scopes(),
    )
    raw = generate_token()
    set_token_value(token, raw)  # blanks the stored token; the checksum is the lookup key
    return token, raw


def tokens_of(user):
    """The person's live tokens, newest first, with the application each belongs to."""
    return (
        get_access_token_model()
        .objects.filter(user=user, expires__gt=timezone.now())
        .select_related("application")
        .order_by("-created", "-id")
    )


def token_revoke(*, user, token_id) -> None:
    """Revoke one of the person's own tokens (and its refresh token); someone else's is not
    found, so tokens cannot be probed."""
    token = get_access_token_model().objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound("You have no such token.")
    refresh = get_refresh_token_model().objects.filter(access_token=token).first()
    if refresh is not None:
        refresh.revoke()
    token.delete()


def tokens_revoke_all(*, user) -> int:
    """Every access and refresh token of the person, e.g. when the password changes."""
    get_refresh_token_model().objects.filter(user=user).delete()
    deleted, _ = get_access_token_model().objects.filter(user=user).delete()
    return deleted


def tokens_clear_expired() -> int:
    """Delete expired access tokens, grants and old revoked refresh tokens (DOT's own
    `clear_expired`), so the table holds live credentials only. Returns the access tokens
    left, for the task's log."""
    clear_expired()
    return get_access_token_model().objects.count()
