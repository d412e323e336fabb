"""The event log: one append-only table of everything that happened.

Domain tables (likes, follows) hold current state; this table holds history, and it is what
the models train on. It is read two ways, so it has two indexes: scans by time (training,
rollups) and one person's history (export, fold-in of fresh interactions).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class EventKind(models.IntegerChoices):
    IMPRESSION = 1, "impression"
    DWELL = 2, "dwell"
    CLICK = 3, "click"
    LIKE = 4, "like"
    UNLIKE = 5, "unlike"
    SHARE = 6, "share"
    UNSHARE = 7, "unshare"
    COMMENT = 8, "comment"
    FOLLOW = 9, "follow"
    UNFOLLOW = 10, "unfollow"
    POST = 11, "post"
    SEARCH = 12, "search"
    GROUP_JOIN = 13, "group join"
    GROUP_LEAVE = 14, "group leave"
    AD_IMPRESSION = 15, "ad impression"
    AD_CLICK = 16, "ad click"
    SIGNUP = 17, "signup"
    LOGIN = 18, "login"
    PROFILE_VIEW = 19, "profile view"
    AD_SLOTS = 20, "ad slots"  # a page's sponsored slots, filled or not (result_count: how many)

    @classmethod
    def by_name(cls, name: str) -> "EventKind | None":
        key = str(name).strip().lower().replace(" ", "_")
        return cls.__members__.get(key.upper())


# Kinds that record what the site did rather than what a person did: they never make anyone
# active, start a session or count as engagement.
BOOKKEEPING_KINDS = frozenset({EventKind.AD_SLOTS})


class Surface(models.TextChoices):
    HOME = "home", "Home feed, For you"
    FOLLOWING = "following", "Home feed, Following"
    EXPLORE = "explore", "Explore"
    PROFILE = "profile", "Profile"
    GROUP = "group", "Group"
    SEARCH = "search", "Search"
    POST = "post", "Post page"
    HASHTAG = "hashtag", "Hashtag"
    NOTIFICATIONS = "notifications", "Notifications"
    API = "api", "API"
    OTHER = "", "Other"


class Event(models.Model):
    id = models.BigAutoField(primary_key=True)
    kind = models.PositiveSmallIntegerField(choices=EventKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        db_index=False,  # covered by the (user, created_at) index
    )
    # Plain ids, not foreign keys: the log outlives deleted posts and groups, and a foreign
    # key check on every insert would slow the hottest write path for no benefit.
    post_id = models.BigIntegerField(null=True, blank=True)
    target_user_id = models.BigIntegerField(null=True, blank=True)
    group_id = models.BigIntegerField(null=True, blank=True)
    campaign_id = models.BigIntegerField(null=True, blank=True)
    dwell_ms = models.PositiveIntegerField(null=True, blank=True)
    surface = models.CharField(max_length=16, choices=Surface.choices, blank=True, default="")
    position = models.PositiveSmallIntegerField(null=True, blank=True)
    model_version = models.PositiveIntegerField(null=True, blank=True)
    arm = models.CharField(max_length=32, blank=True, default="")
    query = models.CharField(max_length=100, blank=True, default="")
    result_count = models.PositiveIntegerField(null=True, blank=True)
    client_key = models.CharField(
        max_length=64, null=True, blank=True, help_text="Client idempotency key."
    )
    # When the person acted (a beacon may give it up to a day back). On PostgreSQL the table
    # also has `recorded_at`, the server's time of the insert, which Django never writes:
    # feeds.matrix_store settles ids by it (events migration 0002).
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        # The log was first analytics' and kept its table when it moved (no copy of millions
        # of rows); raw SQL across the project names it.
        db_table = "analytics_event"
        indexes = [models.Index(fields=["user", "created_at"], name="event_user_time")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "client_key"],
                condition=Q(client_key__isnull=False),
                name="event_client_key_once_per_user",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.user_id} at {self.created_at:%Y-%m-%d %H:%M}"


class RollUpMark(models.Model):
    """How far a roll-up has read the log: every event up to `event_id` is counted (for
    impressions, into social.Post.impression_count), and none above it."""

    name = models.CharField(max_length=40, primary_key=True)
    event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.name} up to event {self.event_id}"
