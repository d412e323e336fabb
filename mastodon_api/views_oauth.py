"""Apps and OAuth 2: registration (POST /api/v1/apps), the consent page, and DOT's token and
revocation endpoints under Mastodon's paths. Tokens are DOT's (accounts/tokens.py): hashed
at rest, expiring after API_TOKEN_LIFETIME, limited to the scopes granted."""

from django.http import JsonResponse
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from oauth2_provider.views import AuthorizationView, RevokeTokenView, TokenView
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from mastodon_api import services
from mastodon_api.base import MastodonView
from mastodon_api.scopes import expand

ENTITY = {"type": "object", "additionalProperties": {}}


class RedirectUris(serializers.ListField):
    """One URI, several separated by spaces or new lines, or a list of them (Mastodon takes
    all three)."""

    child = serializers.CharField(max_length=1000)

    def get_value(self, dictionary):
        if hasattr(dictionary, "getlist") and "redirect_uris[]" in dictionary:
            return dictionary.getlist("redirect_uris[]")
        value = dictionary.get(self.field_name, serializers.empty)
        return value.split() if isinstance(value, str) else value


class AppCreate(serializers.Serializer):
    client_name = serializers.CharField(max_length=255)
    redirect_uris = RedirectUris(
        help_text="Where the consent page sends the code: https URIs (a deployment may allow "
        "more schemes in ALLOWED_REDIRECT_URI_SCHEMES)."
    )
    scopes = serializers.CharField(required=False, default="read", max_length=1000)
    website = serializers.URLField(required=False, allow_blank=True, default="", max_length=500)

    def validate_redirect_uris(self, value):
        uris = [uri.strip() for uri in value if uri.strip()]
        if not uris:
            raise serializers.ValidationError("Give at least one redirect URI.")
        return uris


def application_entity(app, *, secret: str | None = None) -> dict:
    profile = getattr(app, "mastodon_profile", None)
    scopes = profile.scopes.split() if profile else ["read"]
    uris = app.redirect_uris.split()
    data = {
        "id": str(app.pk),
        "name": app.name,
        "website": (profile.website or None) if profile else None,
        "scopes": scopes,
        "redirect_uri": "\n".join(uris),
        "redirect_uris": uris,
        "vapid_key": "",
    }
    if secret is not None:
        data.update(client_id=app.client_id, client_secret=secret)
    return data


class AppsView(MastodonView):
    """Register a client app: its client_id and client_secret (shown this once)."""

    required_scopes = {"POST": None}
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        summary="Mastodon: register an app (POST /api/v1/apps)",
        request=AppCreate,
        responses={200: ENTITY},
        tags=["mastodon"],
    )
    def post(self, request):
        data = AppCreate(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        registered = services.app_register(
            name=values["client_name"],
            redirect_uris=values["redirect_uris"],
            scopes=values["scopes"],
            website=values["website"],
        )
        return Response(application_entity(registered.application, secret=registered.client_secret))


class AppVerifyView(MastodonView):
    """The app a token belongs to (any token of it, a person's or the app's own)."""

    required_scopes = {"GET": "read"}
    app_token_ok = True

    @extend_schema(summary="Mastodon: the token's app", responses={200: ENTITY}, tags=["mastodon"])
    def get(self, request):
        return Response(application_entity(request.auth.application))


class AuthorizeView(AuthorizationView):
    """The consent page, in the site's style, for the signed-in person (others are sent to
    log in first and come back)."""

    template_name = "mastodon_api/authorize.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = context.get("application") or kwargs.get("application")
        profile = getattr(application, "mastodon_profile", None) if application else None
        context["website"] = profile.website if profile else ""
        return context


class MastodonTokenView(TokenView):
    """POST /oauth/token: authorization code (with PKCE when the client sends it; required
    of public clients), refresh token and client credentials; DOT's own endpoint."""


class MastodonRevokeView(RevokeTokenView):
    """POST /oauth/revoke (RFC 7009): the token stops working at once. Answers `{}` as
    Mastodon does (DOT's body is empty, which clients fail to parse as JSON)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200 and not response.content:
            return JsonResponse({})
        return response


def authorization_server_metadata(request):
    """RFC 8414 metadata, which Mastodon.py and other clients read to find the endpoints."""

    def url(name):
        return request.build_absolute_uri(reverse(name))

    return JsonResponse(
        {
            "issuer": request.build_absolute_uri("/"),
            "authorization_endpoint": url("mastodon-oauth-authorize"),
            "token_endpoint": url("mastodon-oauth-token"),
            "revocation_endpoint": url("mastodon-oauth-revoke"),
            "app_registration_endpoint": url("mastodon-apps"),
            "scopes_supported": expand("read write follow push"),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "service_documentation": request.build_absolute_uri("/api/docs/"),
        }
    )
