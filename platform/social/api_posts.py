"""API: posts, likes, shares and comments (the home timeline is feeds': feeds.api_timeline)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from events.models import Surface
from social import cards, selectors, services
from social.api import comment_for, created_or_ok, post_for, with_cards
from social.api_pagination import KeysetCursorPagination, OldestFirstPagination
from social.models import Post
from social.serializers import (
    CommentCreateSerializer,
    CommentSerializer,
    PostCreateSerializer,
    PostSerializer,
    PostUpdateSerializer,
    ReactionSerializer,
    ShareCreateSerializer,
)

POST_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Post id")
COMMENT_ID = OpenApiParameter(
    "comment_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Comment id"
)
# A DELETE carries no body for many clients (and none in OpenAPI): its surface may come in the
# query instead.
SURFACE = OpenApiParameter(
    "surface",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    enum=[value for value in Surface.values if value],
    description="Where the person acted from (home is For you, following the Following tab); "
    "also accepted in a JSON body. Left out, it is Other.",
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
        """The post's fresh card after a write, from one prepared statement (social.cards)."""
        card = cards.post_card(self.request.user, post_id, request=self.request)
        return Response(card, status=code)

    def _toggle(self, *, create, delete) -> Response:
        """Like and share: POST makes it (201 when new, 200 when it already was), DELETE
        undoes it; both answer with the post's fresh card. The post is looked up first, so
        a missing one is a 404 before the body is validated; in one prepared statement, as
        these are the commonest writes there are."""
        post = cards.post_from_row(cards.visible_row(self.request.user, self.kwargs["pk"]))
        if self.request.method == "POST":
            return self._card(post.pk, code=created_or_ok(create(post)))
        delete(user=self.request.user, post=post, surface=self._reaction_surface())
        return self._card(post.pk)

    def _reaction_surface(self) -> str:
        """The optional `surface` of a like, an unlike or an unshare: in the JSON body, or in
        the query (`SURFACE`); an unknown one is a 400."""
        body = self.request.data if isinstance(self.request.data, dict) else {}
        source = body if "surface" in body else self.request.query_params
        data = ReactionSerializer(data={"surface": source.get("surface", "")})
        data.is_valid(raise_exception=True)
        return data.validated_data["surface"]

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
        parameters=[POST_ID, SURFACE],
        request=ReactionSerializer,
        responses={200: PostSerializer, 201: PostSerializer},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Unlike a post (200 with the post's card)",
        parameters=[POST_ID, SURFACE],
        request=None,
        responses={200: PostSerializer},
    )
    @action(detail=True, methods=["post", "delete"])
    def like(self, request, pk=None):
        return self._toggle(
            create=lambda post: services.like_create(
                user=request.user, post=post, surface=self._reaction_surface()
            ),
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
        parameters=[POST_ID, SURFACE],
        request=None,
        responses={200: PostSerializer},
    )
    @action(detail=True, methods=["post", "delete"])
    def share(self, request, pk=None):
        def create(post):
            data = ShareCreateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            return services.share_create(user=request.user, post=post, **data.validated_data)

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
            comment = services.comment_create(author=request.user, post=post, **data.validated_data)
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
