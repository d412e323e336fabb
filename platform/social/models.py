"""The social graph and its content. Counters on Post are kept exact by the services."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from flywheel.images import stored_image_name, validate_image_upload

POST_MAX_LENGTH = 500
COMMENT_MAX_LENGTH = 500


class Group(models.Model):
    class Privacy(models.TextChoices):
        PUBLIC = "public", "Public: anyone can see posts and join"
        PRIVATE = "private", "Private: members only; joining needs approval"

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=80)
    description = models.TextField(max_length=500, blank=True)
    privacy = models.CharField(max_length=8, choices=Privacy.choices, default=Privacy.PUBLIC)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owned_groups"
    )
    member_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_private(self) -> bool:
        return self.privacy == self.Privacy.PRIVATE


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MODERATOR = "moderator", "Moderator"
        MEMBER = "member", "Member"

    class State(models.TextChoices):
        ACTIVE = "active", "Member"
        PENDING = "pending", "Asked to join"

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(max_length=8, choices=State.choices, default=State.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="one_membership_per_group")
        ]
        indexes = [models.Index(fields=["user", "state"])]

    def __str__(self):
        return f"{self.user} in {self.group} ({self.state})"

    @property
    def can_moderate(self) -> bool:
        return self.state == self.State.ACTIVE and self.role in (
            self.Role.OWNER,
            self.Role.MODERATOR,
        )


class Hashtag(models.Model):
    name = models.CharField(max_length=64, unique=True)  # lower case, without '#'
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"#{self.name}"


def post_image_upload_to(post, filename):
    return stored_image_name("posts", post.image.file)


class Post(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts"
    )
    text = models.TextField(max_length=POST_MAX_LENGTH)
    image = models.ImageField(
        upload_to=post_image_upload_to, blank=True, validators=[validate_image_upload]
    )
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, null=True, blank=True, related_name="posts"
    )
    hashtags = models.ManyToManyField(Hashtag, blank=True, related_name="posts")
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    is_hidden = models.BooleanField(default=False, help_text="Hidden by a moderator.")
    like_count = models.PositiveIntegerField(default=0)
    share_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    # Times shown, from the event log's impressions, added up a minute or two behind them by
    # events.roll_ups (not on the beacon's path, where every page would update 20 posts).
    impression_count = models.PositiveBigIntegerField(default=0, db_default=0, editable=False)
    # Time people spent reading it, in ms (each reading capped), rolled up with the impressions.
    read_ms = models.PositiveBigIntegerField(default=0, db_default=0, editable=False)
    # The text rendered as HTML with its links, kept with the post by the services that write
    # it (social.text_html), so a page of cards reads it with the rows; the renderer's
    # version it was made with, so a changed renderer re-renders (NULL: not rendered yet).
    text_html = models.TextField(null=True, blank=True, editable=False)
    text_html_version = models.SmallIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["author", "-id"]),
            models.Index(fields=["group", "-id"]),
            # /media/ looks a file up by its name, then applies the visibility rule.
            models.Index(fields=["image"], name="post_image", condition=~Q(image="")),
            # The few hidden posts, read whole by the recommender's trainable set
            # (feeds.trainable_posts) without a scan of every post.
            models.Index(fields=["id"], name="post_hidden", condition=Q(is_hidden=True)),
        ]

    def __str__(self):
        return f"{self.author}: {self.text[:40]}"


class Like(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes"
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="one_like_per_post")]

    def __str__(self):
        return f"{self.user} likes {self.post_id}"


class Share(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shares"
    )
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="shares")
    comment = models.CharField(max_length=280, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "post"], name="one_share_per_post")]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.user} shared {self.post_id}"


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    text = models.TextField(max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    is_hidden = models.BooleanField(default=False, help_text="Hidden by a moderator.")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["post", "id"])]

    def __str__(self):
        return f"{self.author} on {self.post_id}: {self.text[:40]}"


class Follow(models.Model):
    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following_set"
    )
    followee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follower_set"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="one_follow_per_pair"),
            models.CheckConstraint(
                condition=~Q(follower=models.F("followee")), name="no_self_follow"
            ),
        ]

    def __str__(self):
        return f"{self.follower} follows {self.followee}"


class Block(models.Model):
    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocking_set"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocked_by_set"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="one_block_per_pair")
        ]

    def __str__(self):
        return f"{self.blocker} blocks {self.blocked}"


class Mute(models.Model):
    muter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="muting_set"
    )
    muted = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="muted_by_set"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["muter", "muted"], name="one_mute_per_pair")]

    def __str__(self):
        return f"{self.muter} mutes {self.muted}"


class Notification(models.Model):
    class Verb(models.TextChoices):
        LIKE = "like", "liked your post"
        SHARE = "share", "shared your post"
        COMMENT = "comment", "commented on your post"
        FOLLOW = "follow", "followed you"
        MENTION = "mention", "mentioned you"
        GROUP_REQUEST = "group_request", "asked to join your group"
        GROUP_APPROVED = "group_approved", "approved your request to join"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    verb = models.CharField(max_length=16, choices=Verb.choices)
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["recipient", "-id"]),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="unread_notifications"
            ),
        ]

    def __str__(self):
        return f"{self.actor} {self.get_verb_display()} -> {self.recipient}"


class Report(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        ABUSE = "abuse", "Harassment or abuse"
        HATE = "hate", "Hate speech"
        VIOLENCE = "violence", "Violence or threats"
        MISINFORMATION = "misinformation", "Misinformation"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACTIONED = "actioned", "Action taken"
        DISMISSED = "dismissed", "Dismissed"

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made"
    )
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    reported_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports_received",
    )
    reason = models.CharField(max_length=16, choices=Reason.choices)
    details = models.TextField(max_length=1000, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    resolution = models.CharField(max_length=200, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports_handled",
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(post__isnull=False, comment__isnull=True, reported_user__isnull=True)
                    | Q(post__isnull=True, comment__isnull=False, reported_user__isnull=True)
                    | Q(post__isnull=True, comment__isnull=True, reported_user__isnull=False)
                ),
                name="report_has_exactly_one_target",
            )
        ]

    def __str__(self):
        return f"Report #{self.pk} ({self.get_reason_display()})"

    @property
    def target_kind(self) -> str:
        if self.post_id:
            return "post"
        if self.comment_id:
            return "comment"
        return "person"
