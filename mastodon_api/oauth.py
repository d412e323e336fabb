"""django-oauth-toolkit's validator, with one Mastodon rule: an app registered through
POST /api/v1/apps may use the authorization code, refresh token and client credentials
grants (DOT gives an application one grant type; Mastodon apps use all three)."""

from oauth2_provider.oauth2_validators import OAuth2Validator

MASTODON_GRANTS = {"authorization_code", "refresh_token", "client_credentials"}


class MastodonValidator(OAuth2Validator):
    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):
        application = request.client
        if grant_type in MASTODON_GRANTS and _registered_here(application):
            return True
        return super().validate_grant_type(client_id, grant_type, client, request, *args, **kwargs)


def _registered_here(application) -> bool:
    from mastodon_api.models import AppProfile

    return AppProfile.objects.filter(application=application).exists()
