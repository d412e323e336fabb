from django.urls import path

from accounts import api

urlpatterns = [
    path("auth/signup/", api.SignupAPIView.as_view(), name="api-signup"),
    path("auth/token/", api.TokenAPIView.as_view(), name="api-token"),
    path("auth/tokens/", api.TokenListAPIView.as_view(), name="api-tokens"),
    path("auth/tokens/<int:token_id>/", api.TokenRevokeAPIView.as_view(), name="api-token-revoke"),
    path("me/", api.MeAPIView.as_view(), name="api-me"),
    path("me/export/", api.ExportAPIView.as_view(), name="api-me-export"),
]
