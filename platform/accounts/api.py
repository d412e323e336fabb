import json

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services, tokens
from accounts.privacy import account_delete, export_as_json, export_user_data
from accounts.serializers import (
    AccessTokenSerializer,
    MeSerializer,
    SignupSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from flywheel.net import client_ip
from flywheel.throttling import AnonRateThrottle


class SignupAPIView(APIView):
    """Create an account and get its API token."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [AnonRateThrottle]  # and the sign-up limit, shared with the page

    @extend_schema(request=SignupSerializer, responses={201: TokenSerializer})
    def post(self, request):
        serializer = SignupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.signup(address=client_ip(request), **serializer.validated_data)
        return Response(_issued(user), status=status.HTTP_201_CREATED)


def _issued(user) -> dict:
    issued = tokens.token_issue(user=user)
    return {
        "token": issued.raw,
        "token_type": "Bearer",
        "expires_at": issued.expires,
        "scope": issued.scope,
        "username": user.username,
    }


class TokenAPIView(APIView):
    """Exchange a username and password for a new API token (same lockout as the web login).
    Send it as `Authorization: Bearer <token>`; it expires at `expires_at`."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = services.login_attempt(
                request=request._request,
                address=client_ip(request),
                **serializer.validated_data,
            )
        except services.LoginLocked as locked:
            return Response(
                {"detail": str(locked), "retry_after": locked.retry_after},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(locked.retry_after)},
            )
        except ValidationError as error:
            return Response({"detail": error.messages[0]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(_issued(user))


class MeAPIView(APIView):
    """Read and change one's own profile and privacy switches."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user, context={"request": request}).data)

    @extend_schema(
        request=inline_serializer("AccountDelete", {"password": serializers.CharField()}),
        responses={204: None},
        description="Delete the account and everything in it. Confirm with the password.",
    )
    def delete(self, request):
        account_delete(user=request.user, password=str(request.data.get("password") or ""))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=MeSerializer, responses=MeSerializer)
    def patch(self, request):
        serializer = MeSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.profile_update(user=request.user, **serializer.validated_data)
        return Response(MeSerializer(user, context={"request": request}).data)


class ExportAPIView(APIView):
    """Everything Flywheel holds about the signed-in person, as JSON."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response(json.loads(export_as_json(export_user_data(request.user))))


class TokenListAPIView(APIView):
    """The signed-in person's live API tokens (never their values: only a checksum is kept)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=AccessTokenSerializer(many=True))
    def get(self, request):
        rows = tokens.tokens_of(request.user)
        return Response(AccessTokenSerializer(rows, many=True, context={"request": request}).data)


class TokenRevokeAPIView(APIView):
    """Revoke one of one's own tokens (the token making this request included)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request, token_id: int):
        tokens.token_revoke(user=request.user, token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
