"""The home timeline, suggestions and trends under /api/ (included by flywheel.urls'
api_urlpatterns)."""

from django.urls import path

from feeds import api, api_timeline, api_timeline_lean

urlpatterns = [
    path("timeline/home/", api_timeline_lean.home_timeline, name="api-timeline-home"),
    path(
        "timeline/following/",
        api_timeline.FollowingTimelineView.as_view(),
        name="api-timeline-following",
    ),
    path(
        "suggestions/people/",
        api.SuggestedPeopleView.as_view(),
        name="api-suggestions-people",
    ),
    path(
        "suggestions/groups/",
        api.SuggestedGroupsView.as_view(),
        name="api-suggestions-groups",
    ),
    path("trends/", api.TrendsView.as_view(), name="api-trends"),
]
