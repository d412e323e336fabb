"""Mastodon's client API paths (/api/v1/, /api/v2/, /oauth/), included by flywheel.urls
before the native API's catch-all. docs/mastodon.md lists them."""

import re

from django.http import JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from mastodon_api import (
    views_accounts,
    views_instance,
    views_more,
    views_oauth,
    views_statuses,
    views_timelines,
)

ID = "<str:status_id>"
ACCOUNT = "<str:account_id>"


def route(pattern: str, view, name=None):
    """A path that also answers with a trailing slash (Mastodon does; Mastodon.py asks for
    /api/v1/instance/). `<str:name>` is one path segment."""
    regex = re.sub(r"<str:(\w+)>", r"(?P<\1>[^/]+)", pattern)
    return re_path(rf"^{regex}/?$", view, name=name)


@csrf_exempt
def no_such_endpoint(request, *args, **kwargs):
    return JsonResponse({"error": "This Mastodon API endpoint does not exist here."}, status=404)


empty = views_instance.EmptyListView.as_view()

api_v1 = [
    route("apps", views_oauth.AppsView.as_view(), name="mastodon-apps"),
    route("apps/verify_credentials", views_oauth.AppVerifyView.as_view()),
    route("instance", views_instance.InstanceV1View.as_view(), name="mastodon-instance"),
    route("custom_emojis", empty),
    route("filters", empty),
    route("announcements", empty),
    route("follow_requests", empty),
    route("preferences", views_instance.PreferencesView.as_view()),
    route("lists", views_instance.ListsView.as_view()),
    route("markers", views_instance.MarkersView.as_view()),
    # accounts
    route("accounts/verify_credentials", views_accounts.VerifyCredentialsView.as_view()),
    route("accounts/update_credentials", views_accounts.UpdateCredentialsView.as_view()),
    route("accounts/lookup", views_accounts.LookupView.as_view()),
    route("accounts/relationships", views_accounts.RelationshipsView.as_view()),
    route(f"accounts/{ACCOUNT}", views_accounts.AccountView.as_view()),
    route(f"accounts/{ACCOUNT}/statuses", views_accounts.AccountStatusesView.as_view()),
    route(f"accounts/{ACCOUNT}/followers", views_accounts.FollowersView.as_view()),
    route(f"accounts/{ACCOUNT}/following", views_accounts.FollowingView.as_view()),
    *[
        route(
            f"accounts/{ACCOUNT}/{action}",
            views_accounts.relationship_action(action).as_view(),
        )
        for action in views_accounts.ACTIONS
    ],
    # statuses and media
    route("statuses", views_statuses.StatusesView.as_view(), name="mastodon-statuses"),
    route(f"statuses/{ID}", views_statuses.StatusView.as_view()),
    route(f"statuses/{ID}/context", views_statuses.ContextView.as_view()),
    route(f"statuses/{ID}/favourited_by", views_statuses.FavouritedByView.as_view()),
    route(f"statuses/{ID}/reblogged_by", views_statuses.RebloggedByView.as_view()),
    *[
        route(f"statuses/{ID}/{name}", views_statuses.status_action(name, scope, act).as_view())
        for name, (scope, act) in views_statuses.STATUS_ACTIONS.items()
    ],
    route("media/<str:media_id>", views_statuses.MediaShowView.as_view()),
    # timelines
    route("timelines/home", views_timelines.HomeView.as_view(), name="mastodon-home"),
    route("timelines/public", views_timelines.PublicView.as_view()),
    route("timelines/tag/<str:hashtag>", views_timelines.TagView.as_view()),
    route("timelines/list/<str:list_id>", views_timelines.ListTimelineView.as_view()),
    # notifications, trends
    route("notifications", views_more.NotificationsView.as_view()),
    route("notifications/clear", views_more.NotificationsClearView.as_view()),
    route("notifications/<str:notification_id>", views_more.NotificationView.as_view()),
    route(
        "notifications/<str:notification_id>/dismiss",
        views_more.NotificationDismissView.as_view(),
    ),
    route("trends", views_more.TrendTagsView.as_view()),
    route("trends/tags", views_more.TrendTagsView.as_view()),
    route("trends/statuses", views_more.TrendStatusesView.as_view()),
    re_path(r"^.*$", no_such_endpoint),
]

api_v2 = [
    route("instance", views_instance.InstanceV2View.as_view()),
    route("media", views_statuses.MediaView.as_view(), name="mastodon-media"),
    route("search", views_more.SearchView.as_view()),
    route("suggestions", views_more.SuggestionsView.as_view()),
    route("filters", empty),
    re_path(r"^.*$", no_such_endpoint),
]

oauth = [
    path("authorize", views_oauth.AuthorizeView.as_view(), name="mastodon-oauth-authorize"),
    path("token", views_oauth.MastodonTokenView.as_view(), name="mastodon-oauth-token"),
    path("revoke", views_oauth.MastodonRevokeView.as_view(), name="mastodon-oauth-revoke"),
]

well_known = [
    path(
        "oauth-authorization-server",
        views_oauth.authorization_server_metadata,
        name="mastodon-oauth-metadata",
    ),
]
