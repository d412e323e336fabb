"""Suggestions and trends under /api/ (included by flywheel.urls' api_urlpatterns)."""

from django.urls import path

from feeds import api

urlpatterns = [
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
