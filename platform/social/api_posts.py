"""API: posts, likes, shares, comments and the home timeline."""

import orjson
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from ads.serializers import HomeTimelinePageSerializer, sponsored_data
from feeds import selectors as feeds
from flywheel.pagination import BadCursor, bad_cursor
from social import selectors, services
from social.api import comment_for, created_or_ok, post_for, with_cards
from social.api_pagination import (
    KeysetCursorPagination,
    OldestFirstPagination,
    TimelinePagination,
)
from social.models import Post
from social.serializers import (
    CommentCreateSerializer,
    CommentSerializer,
    PostCreateSerializer,
    PostSerializer,
    PostUpdateSerializer,
    ShareCreateSerializer,
    TimelinePostSerializer,
)

POST_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Post id")
COMMENT_ID = OpenApiParameter(
    "comment_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Comment id"
)


@extend_schema_view(
    list=extend_schema(summary="Explore: recent public posts, newest first"),
    retrieve=extend_schema(parameters=[POST_ID]),
    destroy=extend_schema(
        parameters=[POST_ID], summary="Delete a post (its author, or staff)", responses={204: None}
    ),
)
class PostViewSet(viewsets.GenericViewSet):
    """Posts of up to 500 characters, with an optional image and an optional group."""

    queryset = Post.objects.none()  # for the schema; requests use get_queryset
    serializer_class = PostSerializer
    pagination_class = KeysetCursorPagination
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return with_cards(selectors.explore_posts(self.request.user))

    def _post(self):
        return post_for(self.request.user, self.kwargs["pk"])

    def _card(self, post_id, *, code=status.HTTP_200_OK) -> Response:
        post = post_for(self.request.user, post_id)
        return Response(self.get_serializer(post).data, status=code)

    def _toggle(self, *, create, delete) -> Response:
        """Like and share: POST makes it (201 when new, 200 when it already was), DELETE
        undoes it; both answer with the post's fresh card. The post is looked up first, so
        a missing one is a 404 before the body is validated."""
        post = self._post()
        if self.request.method == "POST":
            return self._card(post.pk, code=created_or_ok(create(post)))
        delete(user=self.request.user, post=post)
        return self._card(post.pk)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Write a post",
        request={
            "application/json": PostCreateSerializer,
            "multipart/form-data": PostCreateSerializer,
        },
        responses={201: PostSerializer},
    )
    def create(self, request):
        data = PostCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        post = services.post_create(author=request.user, **data.validated_data)
        return self._card(post.pk, code=status.HTTP_201_CREATED)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self._post()).data)

    @extend_schema(
        summary="Edit a post's text (its author, within the edit window)",
        parameters=[POST_ID],
        request=PostUpdateSerializer,
        responses=PostSerializer,
    )
    def partial_update(self, request, pk=None):
        post = self._post()
        data = PostUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.post_update(user=request.user, post=post, text=data.validated_data["text"])
        return self._card(post.pk)

    def destroy(self, request, pk=None):
        services.post_delete(user=request.user, post=self._post())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        methods=["POST"],
        summary="Like a post (201 when new, 200 when already liked)",
        parameters=[POST_ID],
        request=None,
        responses={200: PostSerializer, 201: PostSerializer},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Unlike a post (200 with the post's card)",
        parameters=[POST_ID],
        request=None,
        responses={200: PostSerializer},
    )
    @action(detail=True, methods=["post", "delete"])
    def like(self, request, pk=None):
        return self._toggle(
            create=lambda post: services.like_create(user=request.user, post=post),
            delete=services.like_delete,
        )

    @extend_schema(
        methods=["POST"],
        summary="Share a post to your followers, optionally with a comment",
        parameters=[POST_ID],
        request=ShareCreateSerializer,
        responses={200: PostSerializer, 201: PostSerializer},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Undo a share (200 with the post's card)",
        parameters=[POST_ID],
        request=None,
        responses={200: PostSerializer},
    )
    @action(detail=True, methods=["post", "delete"])
    def share(self, request, pk=None):
        def create(post):
            data = ShareCreateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            comment = data.validated_data["comment"]
            return services.share_create(user=request.user, post=post, comment=comment)

        return self._toggle(create=create, delete=services.share_delete)

    @extend_schema(
        methods=["GET"],
        summary="A post's comments, oldest first",
        parameters=[POST_ID],
        responses=CommentSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Comment on a post",
        parameters=[POST_ID],
        request=CommentCreateSerializer,
        responses={201: CommentSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=OldestFirstPagination)
    def comments(self, request, pk=None):
        post = self._post()
        if request.method == "POST":
            data = CommentCreateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            comment = services.comment_create(
                author=request.user, post=post, text=data.validated_data["text"]
            )
            comment = comment_for(request.user, comment.pk, post=post)
            return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(selectors.comments_for(request.user, post))
        return self.get_paginated_response(CommentSerializer(page, many=True).data)

    @extend_schema(
        methods=["GET"],
        summary="One comment of this post",
        parameters=[POST_ID, COMMENT_ID],
        responses=CommentSerializer,
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Delete a comment (its author, the post's author, or staff)",
        parameters=[POST_ID, COMMENT_ID],
        request=None,
        responses={204: None},
    )
    @action(detail=True, methods=["get", "delete"], url_path=r"comments/(?P<comment_id>[^/]+)")
    def comment(self, request, pk=None, comment_id=None):
        comment = comment_for(request.user, comment_id, post=self._post())
        if request.method == "GET":
            return Response(CommentSerializer(comment).data)
        services.comment_delete(user=request.user, comment=comment)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    retrieve=extend_schema(parameters=[COMMENT_ID]),
    destroy=extend_schema(
        parameters=[COMMENT_ID],
        summary="Delete a comment (its author, the post's author, or staff)",
        responses={204: None},
    ),
)
class CommentViewSet(viewsets.GenericViewSet):
    """Comments by id, wherever they are."""

    serializer_class = CommentSerializer
    lookup_url_kwarg = "comment_id"
    lookup_value_regex = "[^/]+"

    def retrieve(self, request, comment_id=None):
        return Response(CommentSerializer(comment_for(request.user, comment_id)).data)

    def destroy(self, request, comment_id=None):
        services.comment_delete(user=request.user, comment=comment_for(request.user, comment_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    summary="Home, For you: your feed as your experiment arm orders it, with reasons",
    responses=HomeTimelinePageSerializer,
)
class HomeTimelineView(generics.ListAPIView):
    """The person's experiment arm decides the order: ranked by the feed model (a snapshot
    computed on the first page, so later pages never repeat or skip a post) or newest
    activity first. Every item says why it is there and which arm and model version chose
    it; a post shared by someone you follow says who shared it. `sponsored` lists the ads of
    the page's sponsored slots, each with the index in `results` it is shown before."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = TimelinePostSerializer
    pagination_class = TimelinePagination

    def get_queryset(self, assignment=None):
        """The chronological arm's list (the ranked arms page their snapshot instead)."""
        return with_cards(feeds.chronological_home(self.request.user, assignment))

    def list(self, request, *args, **kwargs):
        cursor = request.query_params.get(self.paginator.cursor_query_param) or None
        if feeds.snapshot_cursor(cursor):  # a next page: the snapshot knows its arm
            try:
                return self._ranked(request, None, cursor)
            except feeds.SnapshotGone:
                cursor = None  # expired: a fresh first page, as the arm says
        assignment = feeds.assign(request.user)
        if not assignment.is_ranked:
            page = self.paginate_queryset(self.get_queryset(assignment))
            feeds.explain_chronological(page, viewer=request.user, assignment=assignment)
            sponsored = feeds.sponsored_for_chronological(request.user, page, assignment)
            response = self.get_paginated_response(self.get_serializer(page, many=True).data)
            response.data["sponsored"] = sponsored_data(sponsored, request)
            return response
        return self._ranked(request, assignment, cursor)

    def _ranked(self, request, assignment, cursor):
        cursor_param = self.paginator.cursor_query_param
        try:
            feed = feeds.ranked_home_page(
                request.user,
                assignment,
                cursor=cursor,
                size=self.paginator.get_page_size(request),
                as_cards=True,
                request=request,
            )
        except BadCursor:
            raise bad_cursor() from None
        url = request.build_absolute_uri()

        def link(cursor):
            return replace_query_param(url, cursor_param, cursor) if cursor else None

        body = {
            "next": link(feed.next_cursor),
            "previous": link(feed.previous_cursor),
            "results": [card.data for card in feed.posts],
            "sponsored": sponsored_data(feed.sponsored, request),
        }
        if isinstance(request.accepted_renderer, JSONRenderer):
            # The hot path: plain dicts straight to JSON, no renderer in between.
            return HttpResponse(orjson.dumps(body), content_type="application/json")
        return Response(body)  # the browsable API


@extend_schema(
    summary="Home, Following: people you follow and your groups, newest first",
    description=(
        "The same for everyone, whatever their experiment arm: posts by the people you "
        "follow, by you and in your groups, and what the people you follow shared, newest "
        "activity first. Items carry no arm, model version or serve token (no arm chose "
        "them); report their impressions with the surface `following`."
    ),
)
class FollowingTimelineView(generics.ListAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = TimelinePostSerializer
    pagination_class = TimelinePagination

    def get_queryset(self):
        return with_cards(feeds.following_home(self.request.user))

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        feeds.explain_following(page, viewer=request.user)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
