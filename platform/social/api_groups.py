"""API: groups, membership and join requests."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from flywheel.errors import NotFound
from social import selectors, services
from social.api import (
    created_or_ok,
    require_group_content,
    require_group_moderator,
    with_cards,
)
from social.api_pagination import (
    KeysetCursorPagination,
    OldestFirstPagination,
    PopularGroupsPagination,
)
from social.models import Group
from social.serializers import (
    GroupCreateSerializer,
    GroupSerializer,
    JoinRequestDecisionResultSerializer,
    JoinRequestDecisionSerializer,
    JoinRequestSerializer,
    MemberSerializer,
    PostSerializer,
)

SLUG = OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH)
USERNAME = OpenApiParameter("username", OpenApiTypes.STR, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(summary="Groups, the largest first"),
    retrieve=extend_schema(parameters=[SLUG]),
)
class GroupViewSet(viewsets.GenericViewSet):
    """Public groups anyone can join; private ones by request, seen inside by members only."""

    queryset = Group.objects.none()  # for the schema; requests use get_queryset
    serializer_class = GroupSerializer
    pagination_class = PopularGroupsPagination
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"
    # Private groups' insides, and join requests, are refused to others (flywheel.schema).
    schema_errors = {"posts": {403}, "members": {403}, "requests": {403}}

    def get_queryset(self):
        return selectors.groups_list(self.request.user)

    def _group(self):
        return selectors.group_by_slug(self.request.user, self.kwargs["slug"])

    def _detail(self, slug, *, code=status.HTTP_200_OK) -> Response:
        group = selectors.group_by_slug(self.request.user, slug)
        return Response(self.get_serializer(group).data, status=code)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Create a group (you become its owner)",
        request=GroupCreateSerializer,
        responses={201: GroupSerializer},
    )
    def create(self, request):
        data = GroupCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        group = services.group_create(owner=request.user, **data.validated_data)
        return self._detail(group.slug, code=status.HTTP_201_CREATED)

    def retrieve(self, request, slug=None):
        return self._detail(slug)

    @extend_schema(
        summary="The group's posts, newest first (members only for a private group)",
        parameters=[SLUG],
        responses=PostSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=KeysetCursorPagination)
    def posts(self, request, slug=None):
        group = self._group()
        require_group_content(request.user, group)
        page = self.paginate_queryset(with_cards(selectors.group_posts(request.user, group)))
        return self.get_paginated_response(
            PostSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        summary="The group's members, newest first (members only for a private group)",
        parameters=[SLUG],
        responses=MemberSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=KeysetCursorPagination)
    def members(self, request, slug=None):
        group = self._group()
        require_group_content(request.user, group)
        page = self.paginate_queryset(selectors.group_members(request.user, group))
        return self.get_paginated_response(
            MemberSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        methods=["POST"],
        summary="Join a public group, or ask to join a private one",
        parameters=[SLUG],
        request=None,
        responses={200: GroupSerializer, 201: GroupSerializer},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Leave the group, or withdraw a request to join (200 with the group)",
        parameters=[SLUG],
        request=None,
        responses={200: GroupSerializer},
    )
    @action(detail=True, methods=["post", "delete"])
    def membership(self, request, slug=None):
        group = self._group()
        if request.method == "POST":
            services.group_join(user=request.user, group=group)
            return self._detail(group.slug, code=created_or_ok(group.viewer_state is None))
        services.group_leave(user=request.user, group=group)
        return self._detail(group.slug)

    @extend_schema(
        summary="Pending requests to join, oldest first (owner and moderators only)",
        parameters=[SLUG],
        responses=JoinRequestSerializer(many=True),
    )
    @action(
        detail=True,
        methods=["get"],
        pagination_class=OldestFirstPagination,
        permission_classes=[permissions.IsAuthenticated],
    )
    def requests(self, request, slug=None):
        group = self._group()
        require_group_moderator(request.user, group)
        page = self.paginate_queryset(selectors.group_requests(group))
        return self.get_paginated_response(
            JoinRequestSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        summary="Approve or turn down a request to join (owner and moderators only)",
        parameters=[SLUG, USERNAME],
        request=JoinRequestDecisionSerializer,
        responses=JoinRequestDecisionResultSerializer,
    )
    @action(detail=True, methods=["post"], url_path=r"requests/(?P<username>[^/]+)")
    def decide(self, request, slug=None, username=None):
        group = self._group()
        require_group_moderator(request.user, group)
        data = JoinRequestDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pending = selectors.group_requests(group).filter(user__username__iexact=username).first()
        if pending is None:
            raise NotFound(f"@{username[:40]} has not asked to join this group.")
        approve = data.validated_data["approve"]
        services.group_request_decide(
            moderator=request.user, group=group, user=pending.user, approve=approve
        )
        group.refresh_from_db(fields=["member_count"])
        return Response(
            {
                "username": pending.user.username,
                "approved": approve,
                "member_count": group.member_count,
            }
        )
