from datetime import timedelta

import pytest
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, set_token_value
from oauthlib.common import generate_token
from rest_framework.test import APIClient

from mastodon_api import services


@pytest.fixture
def mastodon_app(db):
    """An app registered as POST /api/v1/apps would, with every scope."""
    return services.app_register(
        name="Test client",
        redirect_uris=["https://client.example/callback"],
        scopes="read write follow push",
    )


@pytest.fixture
def client_with_scope(mastodon_app):
    """An API client holding a token of the app for a person, with exactly these scopes
    (what the consent page grants when the app asks for them)."""

    def make(user, scope: str) -> APIClient:
        token = get_access_token_model()(
            user=user,
            application=mastodon_app.application,
            scope=scope,
            expires=timezone.now() + timedelta(hours=1),
        )
        raw = generate_token()
        set_token_value(token, raw)
        token.save()
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        client.raw_token = raw
        return client

    return make
