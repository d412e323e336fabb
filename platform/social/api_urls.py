"""The social API under /api/ (see social/api.py for how the endpoint modules fit)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from social import api_groups, api_people, api_posts, api_search

router = DefaultRouter()
router.register("posts", api_posts.PostViewSet, basename="api-post")
router.register("comments", api_posts.CommentViewSet, basename="api-comment")
router.register("users", api_people.UserViewSet, basename="api-user")
router.register("notifications", api_people.NotificationViewSet, basename="api-notification")
router.register("reports", api_people.ReportViewSet, basename="api-report")
router.register("groups", api_groups.GroupViewSet, basename="api-group")

urlpatterns = [
    path("search/", api_search.SearchView.as_view(), name="api-search"),
    path("search/posts/", api_search.SearchPostsView.as_view(), name="api-search-posts"),
    path("search/people/", api_search.SearchPeopleView.as_view(), name="api-search-people"),
    path("search/hashtags/", api_search.SearchHashtagsView.as_view(), name="api-search-hashtags"),
    path("search/groups/", api_search.SearchGroupsView.as_view(), name="api-search-groups"),
    *router.urls,
]
