"""Post cards (plain, and in the home feed with why they are there), and what writing,
editing and sharing a post takes."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from flywheel.errors import NotFound
from flywheel.images import validate_image_upload
from social import selectors
from social.models import POST_MAX_LENGTH, Post
from social.serializers.fields import absolute_url, surface_field, text_field
from social.serializers.groups import GroupRefSerializer
from social.serializers.people import AuthorSerializer
from social.text_html import html_for

SHARE_COMMENT_MAX_LENGTH = 280


class PostSerializer(serializers.ModelSerializer):
    """A post card. `html` is the text escaped, with #hashtags, @mentions and links as links."""

    author = AuthorSerializer(read_only=True)
    html = serializers.SerializerMethodField()
    image_url = serializers.SerializerMethodField()
    group = GroupRefSerializer(read_only=True, allow_null=True)
    viewer_liked = serializers.SerializerMethodField()
    viewer_shared = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [
            "id",
            "author",
            "text",
            "html",
            "image_url",
            "group",
            "created_at",
            "edited_at",
            "like_count",
            "share_count",
            "comment_count",
            "viewer_liked",
            "viewer_shared",
        ]
        read_only_fields = fields

    def get_html(self, post) -> str:
        # `mentions` is prefetched by the views.
        mentioned = (person.username for person in post.mentions.all())
        return html_for(post.text, post.author.username, mentioned)

    def get_image_url(self, post) -> str | None:
        return absolute_url(self.context, post.image)

    def get_viewer_liked(self, post) -> bool:
        return bool(getattr(post, "viewer_liked", False))

    def get_viewer_shared(self, post) -> bool:
        return bool(getattr(post, "viewer_shared", False))


class SharedBySerializer(serializers.Serializer):
    username = serializers.CharField()
    comment = serializers.CharField()
    shared_at = serializers.DateTimeField()


class ActivityPostSerializer(PostSerializer):
    """A post in a list of activity (a profile, the home feed): the post itself, or a share of
    it (`shared_by`: who shared it, with what comment, when)."""

    shared_by = serializers.SerializerMethodField(
        help_text="Null for a post listed for itself; for a share, who shared it, with their "
        "comment (empty when none) and when."
    )
    activity_at = serializers.DateTimeField(
        read_only=True, help_text="When it was posted, or shared if that was later."
    )

    class Meta(PostSerializer.Meta):
        fields = [*PostSerializer.Meta.fields, "shared_by", "activity_at"]
        read_only_fields = fields

    @extend_schema_field(SharedBySerializer(allow_null=True))
    def get_shared_by(self, post):
        username = getattr(post, "shared_by_username", None)
        if not username:
            return None
        return {
            "username": username,
            "comment": post.shared_comment or "",
            "shared_at": serializers.DateTimeField().to_representation(post.shared_at),
        }


class TimelinePostSerializer(ActivityPostSerializer):
    """A post in the home feed, with who among the people followed shared it, if anyone, why
    it is there, and the arm and model version that chose it. A client that reports
    impressions (`POST /api/events/`) echoes `serve` with each one: the signed record of
    what was served, from which the arm and the model version are taken."""

    reason = serializers.SerializerMethodField(
        help_text="Why it is in the feed, e.g. “from @ana, whom you follow”."
    )
    model_version = serializers.SerializerMethodField(
        help_text="The feed model version that ranked it; null when no model did."
    )
    arm = serializers.SerializerMethodField(help_text="The feed experiment arm that chose it.")
    serve = serializers.SerializerMethodField(
        help_text="The page's signed serve token: echo it with this post's impressions."
    )

    class Meta(ActivityPostSerializer.Meta):
        fields = [
            *ActivityPostSerializer.Meta.fields,
            "reason",
            "model_version",
            "arm",
            "serve",
        ]
        read_only_fields = fields

    def get_reason(self, post) -> str:
        return getattr(post, "feed_reason", "") or ""

    def get_model_version(self, post) -> int | None:
        return getattr(post, "feed_model_version", None)

    def get_arm(self, post) -> str:
        return getattr(post, "feed_arm", "") or ""

    def get_serve(self, post) -> str:
        return getattr(post, "feed_serve", "") or ""


class PostCreateSerializer(serializers.Serializer):
    text = text_field(limit=POST_MAX_LENGTH, what="post")
    image = serializers.FileField(
        required=False,
        allow_null=True,
        validators=[validate_image_upload],
        help_text="A JPEG, PNG, GIF or WebP picture (send the request as multipart/form-data).",
    )
    group = serializers.SlugField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="The slug of a group you are a member of, to post in it.",
    )

    def validate_group(self, slug):
        if not slug:
            return None
        try:
            return selectors.group_by_slug(self.context["request"].user, slug)
        except NotFound as missing:
            raise serializers.ValidationError(str(missing)) from None


class PostUpdateSerializer(serializers.Serializer):
    text = text_field(limit=POST_MAX_LENGTH, what="post")


class ReactionSerializer(serializers.Serializer):
    """A like, an unlike or an unshare: where the person acted from, if they say."""

    surface = surface_field()


class ShareCreateSerializer(serializers.Serializer):
    comment = serializers.CharField(
        max_length=SHARE_COMMENT_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        error_messages={
            "max_length": f"A share comment can be at most {SHARE_COMMENT_MAX_LENGTH} characters."
        },
    )
    surface = surface_field()
