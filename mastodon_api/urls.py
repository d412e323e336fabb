"""Mastodon's client API paths (/api/v1/, /api/v2/, /oauth/), included by flywheel.urls
before the native API's catch-all. docs/mastodon.md lists them."""

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


@csrf_exempt
def no_such_endpoint(request, *args, **kwargs):
    return JsonResponse({"error": "This Mastodon API endpoint does not exist here."}, status=404)


empty = views_instance.EmptyListView.as_view()

api_v1 = [
    path("apps", views_oauth.AppsView.as_view(), name="mastodon-apps"),
    path("apps/verify_credentials", views_oauth.AppVerifyView.as_view()),
    path("instance", views_instance.InstanceV1View.as_view(), name="mastodon-instance"),
    path("custom_emojis", empty),
    path("filters", empty),
    path("announcements", empty),
    path("follow_requests", empty),
    path("preferences", views_instance.PreferencesView.as_view()),
    path("lists", views_instance.ListsView.as_view()),
    path("markers", views_instance.MarkersView.as_view()),
    # accounts
    path("accounts/verify_credentials", views_accounts.VerifyCredentialsView.as_view()),
    path("accounts/update_credentials", views_accounts.UpdateCredentialsView.as_view()),
    path("accounts/lookup", views_accounts.LookupView.as_view()),
    path("accounts/relationships", views_accounts.RelationshipsView.as_view()),
    path(f"accounts/{ACCOUNT}", views_accounts.AccountView.as_view()),
    path(f"accounts/{ACCOUNT}/statuses", views_accounts.AccountStatusesView.as_view()),
    path(f"accounts/{ACCOUNT}/followers", views_accounts.FollowersView.as_view()),
    path(f"accounts/{ACCOUNT}/following", views_accounts.FollowingView.as_view()),
    *[
        path(
            f"accounts/{ACCOUNT}/{action}",
            views_accounts.relationship_action(action).as_view(),
        )
        for action in views_accounts.ACTIONS
    ],
    # statuses and media
    path("statuses", views_statuses.StatusesView.as_view(), name="mastodon-statuses"),
    path(f"statuses/{ID}", views_statuses.StatusView.as_view()),
    path(f"statuses/{ID}/context", views_statuses.ContextView.as_view()),
    path(f"statuses/{ID}/favourited_by", views_statuses.FavouritedByView.as_view()),
    path(f"statuses/{ID}/reblogged_by", views_statuses.RebloggedByView.as_view()),
    *[
        path(f"statuses/{ID}/{name}", views_statuses.status_action(name, scope, act).as_view())
        for name, (scope, act) in views_statuses.STATUS_ACTIONS.items()
    ],
    path("media/<str:media_id>", views_statuses.MediaShowView.as_view()),
    # timelines
    path("timelines/home", views_timelines.HomeView.as_view(), name="mastodon-home"),
    path("timelines/public", views_timelines.PublicView.as_view()),
    path("timelines/tag/<str:hashtag>", views_timelines.TagView.as_view()),
    path("timelines/list/<str:list_id>", views_timelines.ListTimelineView.as_view()),
    # notifications, trends
    path("notifications", views_more.NotificationsView.as_view()),
    path("notifications/clear", views_more.NotificationsClearView.as_view()),
    path("notifications/<str:notification_id>", views_more.NotificationView.as_view()),
    path(
        "notifications/<str:notification_id>/dismiss",
        views_more.NotificationDismissView.as_view(),
    ),
    path("trends", views_more.TrendTagsView.as_view()),
    path("trends/tags", views_more.TrendTagsView.as_view()),
    path("trends/statuses", views_more.TrendStatusesView.as_view()),
    re_path(r"^.*$", no_such_endpoint),
]

api_v2 = [
    path("instance", views_instance.InstanceV2View.as_view()),
    path("media", views_statuses.MediaView.as_view(), name="mastodon-media"),
    path("search", views_more.SearchView.as_view()),
    path("suggestions", views_more.SuggestionsView.as_view()),
    path("filters", empty),
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
