"""API: profiles, follows, blocks, mutes, notifications and reports."""

from django.db.models import F
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from social import selectors, services
from social.api import comment_for, created_or_ok, post_for, with_cards
from social.api_pagination import (
    FollowPagination,
    NotificationPagination,
    TimelinePagination,
)
from social.serializers import (
    ActivityPostSerializer,
    MarkReadResultSerializer,
    MarkReadSerializer,
    NotificationSerializer,
    PersonSerializer,
    ProfileSerializer,
    ReportCreateSerializer,
    ReportSerializer,
    UnreadCountSerializer,
)

USERNAME = OpenApiParameter("username", OpenApiTypes.STR, OpenApiParameter.PATH)


def _relation_schema(verb: str, undo: str):
    """The schema of a POST-to-do, DELETE-to-undo relation endpoint (follow, block, mute)."""

    def decorate(view):
        view = extend_schema(
            methods=["POST"],
            summary=f"{verb} this person (201 when new, 200 when already so)",
            parameters=[USERNAME],
            request=None,
            responses={200: ProfileSerializer, 201: ProfileSerializer},
        )(view)
        return extend_schema(
            methods=["DELETE"],
            summary=f"{undo} this person (200 with their profile)",
            parameters=[USERNAME],
            request=None,
            responses={200: ProfileSerializer},
        )(view)

    return decorate


@extend_schema_view(
    retrieve=extend_schema(
        summary="A profile: the person, their counts and how you stand with them",
        parameters=[USERNAME],
        responses=ProfileSerializer,
    )
)
class UserViewSet(viewsets.GenericViewSet):
    """People by username. Someone who blocked you is not found."""

    serializer_class = ProfileSerializer
    lookup_field = "username"
    lookup_value_regex = "[^/]+"

    def _person(self):
        username = self.kwargs["username"]
        return selectors.user_by_username(self.request.user, username)

    def _profile(self, person, *, code=status.HTTP_200_OK) -> Response:
        person.counts = selectors.profile_stats(person, viewer=self.request.user)
        person.relationship = selectors.relationship(self.request.user, person)
        return Response(ProfileSerializer(person, context={"request": self.request}).data, code)

    def retrieve(self, request, username=None):
        return self._profile(self._person())

    @extend_schema(
        summary="A person's posts and shares, newest activity first",
        description="What their profile page lists: the posts they wrote, and the posts they "
        "shared (with or without a comment), each once, at its latest activity. A share has "
        "`shared_by` (this person, their comment, when); a post of their own has null. Only "
        "posts the viewer may see.",
        parameters=[USERNAME],
        responses=ActivityPostSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=TimelinePagination)
    def posts(self, request, username=None):
        posts = with_cards(selectors.profile_activity(request.user, self._person()))
        page = self.paginate_queryset(posts)
        return self.get_paginated_response(
            ActivityPostSerializer(page, many=True, context={"request": request}).data
        )

    def _people(self, people):
        page = self.paginate_queryset(people)
        return self.get_paginated_response(
            PersonSerializer(page, many=True, context={"request": self.request}).data
        )

    @extend_schema(
        summary="Who follows this person, most recent first",
        parameters=[USERNAME],
        responses=PersonSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=FollowPagination)
    def followers(self, request, username=None):
        people = selectors.followers_of(request.user, self._person())
        return self._people(people.annotate(followed_at=F("following_set__created_at")))

    @extend_schema(
        summary="Whom this person follows, most recent first",
        parameters=[USERNAME],
        responses=PersonSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=FollowPagination)
    def following(self, request, username=None):
        people = selectors.following_of(request.user, self._person())
        return self._people(people.annotate(followed_at=F("follower_set__created_at")))

    @_relation_schema("Follow", "Unfollow")
    @action(detail=True, methods=["post", "delete"])
    def follow(self, request, username=None):
        person = self._person()
        if request.method == "POST":
            created = services.follow_create(follower=request.user, followee=person)
            return self._profile(person, code=created_or_ok(created))
        services.follow_delete(follower=request.user, followee=person)
        return self._profile(person)

    @_relation_schema("Block", "Unblock")
    @action(detail=True, methods=["post", "delete"])
    def block(self, request, username=None):
        person = self._person()
        if request.method == "POST":
            created = services.block_create(blocker=request.user, blocked=person)
            return self._profile(person, code=created_or_ok(created))
        services.block_delete(blocker=request.user, blocked=person)
        return self._profile(person)

    @_relation_schema("Mute", "Unmute")
    @action(detail=True, methods=["post", "delete"])
    def mute(self, request, username=None):
        person = self._person()
        if request.method == "POST":
            created = services.mute_create(muter=request.user, muted=person)
            return self._profile(person, code=created_or_ok(created))
        services.mute_delete(muter=request.user, muted=person)
        return self._profile(person)


@extend_schema_view(list=extend_schema(summary="Your notifications, newest first"))
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Notifications for likes, shares, comments, follows, mentions and group requests."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = NotificationSerializer
    pagination_class = NotificationPagination

    def get_queryset(self):
        return selectors.notifications_for(self.request.user)

    @extend_schema(
        summary="Mark notifications read (the given ids, or all of them)",
        request=MarkReadSerializer,
        responses=MarkReadResultSerializer,
    )
    @action(detail=False, methods=["post"])
    def read(self, request):
        data = MarkReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = services.notifications_mark_read(
            user=request.user, ids=data.validated_data.get("ids")
        )
        unread = selectors.unread_notification_count(request.user)
        return Response({"marked": marked, "unread_count": unread})

    @extend_schema(summary="How many notifications are unread", responses=UnreadCountSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count", pagination_class=None)
    def unread_count(self, request):
        return Response({"unread_count": selectors.unread_notification_count(request.user)})


class ReportViewSet(viewsets.GenericViewSet):
    """Reports to the staff: a post, a comment or a person, with a reason."""

    permission_classes = [permissions.IsAuthenticated]
    schema_errors = {"create": {404}}  # what is reported may not exist (flywheel.schema)
    serializer_class = ReportCreateSerializer

    @extend_schema(
        summary="Report a post, a comment or a person",
        request=ReportCreateSerializer,
        responses={201: ReportSerializer},
    )
    def create(self, request):
        data = ReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        viewer = request.user
        report = services.report_create(
            reporter=viewer,
            reason=fields["reason"],
            details=fields["details"],
            post=post_for(viewer, fields["post"]) if fields.get("post") else None,
            comment=comment_for(viewer, fields["comment"]) if fields.get("comment") else None,
            person=(
                selectors.user_by_username(viewer, fields["username"])
                if fields.get("username")
                else None
            ),
        )
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)
