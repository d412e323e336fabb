"""Scopes at work: which scopes an app may ever be granted (DOT's scopes backend), and which
one each endpoint needs (a DRF permission). The names are in accounts.oauth_scopes."""

from oauth2_provider.scopes import SettingsScopes
from rest_framework import exceptions, permissions

from accounts.oauth_scopes import SCOPES, SUB_SCOPES, grants

__all__ = ["AppScopes", "RequireScope", "expand", "grants"]


def expand(scopes: str) -> list[str]:
    """The scopes a registration string stands for: each top-level scope with its sub-scopes."""
    names = [name for name in scopes.split() if name in SCOPES]
    for name in list(names):
        names += [f"{name}:{sub}" for sub in SUB_SCOPES.get(name, ())]
    return list(dict.fromkeys(names))


class AppScopes(SettingsScopes):
    """An app registered through POST /api/v1/apps may be granted only what it registered;
    other applications (the first-party one) any scope."""

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        profile = getattr(application, "mastodon_profile", None) if application else None
        try:
            registered = profile.scopes if profile is not None else None
        except AttributeError:
            registered = None
        if registered is None:
            return super().get_available_scopes(application, request, *args, **kwargs)
        return expand(registered)

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return ["read"]


class RequireScope(permissions.BasePermission):
    """The view says which scope each method needs (`required_scopes`, by HTTP method; None
    for a public read). A token without it gets 403, a request without a token 401."""

    def has_permission(self, request, view):
        needed = view.required_scopes.get(request.method)
        if request.method == "OPTIONS":
            return True
        if needed is None:
            return True
        if request.auth is None:
            raise exceptions.NotAuthenticated("This method requires an authenticated user")
        if not request.user.is_authenticated and not getattr(view, "app_token_ok", False):
            raise exceptions.PermissionDenied("This method requires an authenticated user")
        granted = set(str(getattr(request.auth, "scope", "")).split())
        if not grants(granted, needed):
            raise exceptions.PermissionDenied(
                f"This action is outside the authorized scopes (it needs {needed})"
            )
        return True
