"""What the social API reads and writes. Input serializers check the shape of a request (types,
lengths, choices) with messages a person can act on; the rules themselves (who may do what,
visibility, rate limits) live in social.services and social.selectors. Output serializers only
read what the selectors loaded, so listing a page costs a fixed number of queries."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from flywheel.errors import NotFound
from flywheel.images import validate_image_upload
from social import selectors
from social.models import (
    COMMENT_MAX_LENGTH,
    POST_MAX_LENGTH,
    Comment,
    Group,
    Membership,
    Notification,
    Post,
    Report,
)
from social.text import render_text

SHARE_COMMENT_MAX_LENGTH = 280


def absolute_url(context: dict, file) -> str | None:
    """The full address of an uploaded file, or None when there is none."""
    if not file:
        return None
    request = context.get("request")
    return request.build_absolute_uri(file.url) if request is not None else file.url


def text_field(*, limit: int, what: str, **kwargs) -> serializers.CharField:
    return serializers.CharField(
        max_length=limit,
        error_messages={
            "blank": f"Write something: the {what} is empty.",
            "required": f"Write something: the {what} is empty.",
            "null": f"Write something: the {what} is empty.",
            "max_length": f"The {what} is too long; the limit is {limit} characters.",
            "invalid": f"The {what} must be text.",
        },
        **kwargs,
    )


# --- people ----------------------------------------------------------------------------


class AuthorSerializer(serializers.Serializer):
    """A person as shown next to their content."""

    username = serializers.CharField(read_only=True)
    display_name = serializers.CharField(
        source="name", read_only=True, help_text="The display name, or the username if unset."
    )
    avatar_url = serializers.SerializerMethodField()

    def get_avatar_url(self, user) -> str | None:
        return absolute_url(self.context, user.avatar)


class PersonSerializer(AuthorSerializer):
    """A person in a list (followers, following, search results)."""

    bio = serializers.CharField(read_only=True)
    viewer_follows = serializers.SerializerMethodField(
        help_text="Whether the signed-in person follows them."
    )

    def get_viewer_follows(self, user) -> bool:
        return bool(getattr(user, "viewer_follows", False))


class ProfileCountsSerializer(serializers.Serializer):
    posts = serializers.IntegerField()
    followers = serializers.IntegerField()
    following = serializers.IntegerField()


class RelationshipSerializer(serializers.Serializer):
    """How the signed-in person stands with this one (all false when signed out)."""

    following = serializers.BooleanField()
    followed_by = serializers.BooleanField()
    blocking = serializers.BooleanField()
    muting = serializers.BooleanField()


class ProfileSerializer(AuthorSerializer):
    """A profile page's worth: the person, their counts and the viewer's relationship."""

    bio = serializers.CharField(read_only=True)
    is_bot = serializers.BooleanField(read_only=True)
    date_joined = serializers.DateTimeField(read_only=True)
    counts = ProfileCountsSerializer(read_only=True)
    relationship = RelationshipSerializer(read_only=True)


# --- groups ----------------------------------------------------------------------------


class GroupRefSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)


class GroupSerializer(serializers.ModelSerializer):
    owner = AuthorSerializer(read_only=True)
    viewer_state = serializers.SerializerMethodField(
        help_text="The signed-in person's membership: active, pending or null."
    )

    class Meta:
        model = Group
        fields = [
            "slug",
            "name",
            "description",
            "privacy",
            "owner",
            "member_count",
            "created_at",
            "viewer_state",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Membership.State.choices, allow_null=True))
    def get_viewer_state(self, group):
        return getattr(group, "viewer_state", None)


class GroupCreateSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=80,
        error_messages={
            "blank": "Give the group a name.",
            "required": "Give the group a name.",
            "max_length": "A group name can be at most 80 characters.",
        },
    )
    description = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )
    privacy = serializers.ChoiceField(
        choices=Group.Privacy.choices,
        default=Group.Privacy.PUBLIC,
        error_messages={"invalid_choice": "Choose public or private."},
    )


class MemberSerializer(serializers.ModelSerializer):
    user = AuthorSerializer(read_only=True)
    joined_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Membership
        fields = ["user", "role", "joined_at"]
        read_only_fields = fields


class JoinRequestSerializer(serializers.ModelSerializer):
    user = AuthorSerializer(read_only=True)
    requested_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Membership
        fields = ["user", "requested_at"]
        read_only_fields = fields


class JoinRequestDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(
        help_text="true lets the person in; false turns the request down."
    )


class JoinRequestDecisionResultSerializer(serializers.Serializer):
    username = serializers.CharField()
    approved = serializers.BooleanField()
    member_count = serializers.IntegerField()


# --- posts -----------------------------------------------------------------------------


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
        # Mentions link only to people who exist; `mentions` is prefetched by the views.
        known = {person.username for person in post.mentions.all()} | {post.author.username}
        return str(render_text(post.text, known))

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


class TimelinePostSerializer(PostSerializer):
    """A post in the home feed, with who among the people followed shared it, if anyone, why
    it is there, and the arm and model version that chose it. A client that reports
    impressions (`POST /api/events/`) echoes `serve` with each one: the signed record of
    what was served, from which the arm and the model version are taken."""

    shared_by = serializers.SerializerMethodField()
    activity_at = serializers.DateTimeField(
        read_only=True, help_text="When it was posted, or shared by someone followed if later."
    )
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

    class Meta(PostSerializer.Meta):
        fields = [
            *PostSerializer.Meta.fields,
            "shared_by",
            "activity_at",
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


# --- comments --------------------------------------------------------------------------


class CommentSerializer(serializers.ModelSerializer):
    author = AuthorSerializer(read_only=True)
    post_id = serializers.IntegerField(read_only=True)
    html = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "post_id", "author", "text", "html", "created_at"]
        read_only_fields = fields

    def get_html(self, comment) -> str:
        return str(render_text(comment.text))


class CommentCreateSerializer(serializers.Serializer):
    text = text_field(limit=COMMENT_MAX_LENGTH, what="comment")


# --- notifications ---------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    """One notification. Only ids of posts and comments: opening them goes through the same
    visibility rules as everything else."""

    actor = AuthorSerializer(read_only=True)
    message = serializers.CharField(source="get_verb_display", read_only=True)
    post_id = serializers.IntegerField(read_only=True, allow_null=True)
    comment_id = serializers.IntegerField(read_only=True, allow_null=True)
    group = GroupRefSerializer(read_only=True, allow_null=True)
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "verb",
            "message",
            "actor",
            "post_id",
            "comment_id",
            "group",
            "created_at",
            "read_at",
            "unread",
        ]
        read_only_fields = fields

    def get_unread(self, notification) -> bool:
        return notification.read_at is None


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=500,
        help_text="The notifications to mark read; leave out to mark all of them read.",
    )


class MarkReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were marked read.")
    unread_count = serializers.IntegerField()


class UnreadCountSerializer(serializers.Serializer):
    unread_count = serializers.IntegerField()


# --- search ----------------------------------------------------------------------------


class HashtagSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    post_count = serializers.IntegerField(read_only=True)


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Words, #hashtag or @name. Posts use full-text search with ranking.",
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=50,
        default=10,
        help_text="How many of each kind to return (the per-kind endpoints page further).",
    )


class SearchResultsSerializer(serializers.Serializer):
    query = serializers.CharField()
    posts = PostSerializer(many=True)
    people = PersonSerializer(many=True)
    hashtags = HashtagSerializer(many=True)
    groups = GroupSerializer(many=True)


# --- reports ---------------------------------------------------------------------------


class ReportCreateSerializer(serializers.Serializer):
    """Report exactly one of a post, a comment or a person."""

    reason = serializers.ChoiceField(
        choices=Report.Reason.choices,
        error_messages={"invalid_choice": "Choose a reason from the list."},
    )
    details = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    post = serializers.IntegerField(required=False, min_value=1)
    comment = serializers.IntegerField(required=False, min_value=1)
    username = serializers.CharField(required=False, max_length=150)

    def validate(self, data):
        targets = [name for name in ("post", "comment", "username") if data.get(name)]
        if len(targets) != 1:
            raise serializers.ValidationError(
                {"detail": "Report exactly one thing: a post, a comment or a username."}
            )
        return data


class ReportSerializer(serializers.ModelSerializer):
    target = serializers.CharField(source="target_kind", read_only=True)

    class Meta:
        model = Report
        fields = ["id", "reason", "details", "target", "status", "created_at"]
        read_only_fields = fields
