"""Orderings of the social API's lists (the keyset mechanics are in flywheel.pagination)."""

from rest_framework.response import Response

from flywheel.pagination import KeysetCursorPagination
from social import selectors

__all__ = ["KeysetCursorPagination"]


class OldestFirstPagination(KeysetCursorPagination):
    """Comments, join requests: in the order they came."""

    ordering = ("id",)


class TimelinePagination(KeysetCursorPagination):
    """The home timeline: newest activity (a post, or a share of it by someone followed)."""

    ordering = ("-activity_at", "-id")


class FollowPagination(KeysetCursorPagination):
    """Followers and following: most recently followed first (`followed_at` is annotated)."""

    ordering = ("-followed_at", "-id")


class PopularGroupsPagination(KeysetCursorPagination):
    ordering = ("-member_count", "name", "id")


class UsernamePagination(KeysetCursorPagination):
    ordering = ("username", "id")


class HashtagPagination(KeysetCursorPagination):
    ordering = ("-post_count", "name", "id")


class RankedPagination(KeysetCursorPagination):
    """Search results in the selector's own order (rank on PostgreSQL, newest on SQLite)."""

    def get_ordering(self, request, queryset, view):
        ordering = tuple(str(key) for key in queryset.query.order_by)
        if not ordering or any("__" in key for key in ordering):
            return ("-id",)
        return ordering


class NotificationPagination(KeysetCursorPagination):
    """Newest first, with the unread count alongside so a client needs one request."""

    def paginate_queryset(self, queryset, request, view=None):
        self.unread_count = selectors.unread_notification_count(request.user)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        return Response({"unread_count": self.unread_count, **response.data})

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"] = {
            "unread_count": {"type": "integer", "example": 3},
            **paginated["properties"],
        }
        paginated["required"] = ["unread_count", *paginated.get("required", [])]
        return paginated
