"""The model registry: one row per training run of a model, and the feed experiments."""

from django.db import models
from django.db.models import Q


class ModelKind(models.TextChoices):
    FEED_ALS = "feed_als", "Feed recommender (ALS)"
    AD_TARGETER = "ad_targeter", "Ad targeter"
    FEED_RANKER = "feed_ranker", "Feed ranker (learned)"


class ModelVersion(models.Model):
    """A training run and, if it passed its gate, a servable model.

    queued -> training -> ready -> active (or rejected / failed); an active version becomes
    retired when another is activated. At most one version of a kind is active, and at most
    one is queued or training: both are partial unique indexes, so the database, not a hope,
    decides a race between two triggers.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        TRAINING = "training", "Training"
        READY = "ready", "Ready"
        ACTIVE = "active", "Active"
        REJECTED = "rejected", "Rejected by its gate"
        FAILED = "failed", "Failed"
        RETIRED = "retired", "Retired"

    kind = models.CharField(max_length=16, choices=ModelKind.choices, default=ModelKind.FEED_ALS)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    params = models.JSONField(default=dict, help_text="Hyper-parameters of the fit.")
    max_event_id = models.BigIntegerField(
        default=0, help_text="The data window: every event up to and including this id."
    )
    users = models.PositiveIntegerField(default=0)
    items = models.PositiveIntegerField(default=0)
    nonzeros = models.PositiveBigIntegerField(default=0)
    metrics = models.JSONField(
        default=dict, help_text="Evaluation of this version and of the baseline, same run."
    )
    train_seconds = models.FloatField(null=True, blank=True)
    peak_memory_mb = models.FloatField(null=True, blank=True)
    artifact_path = models.CharField(max_length=500, blank=True)
    warm_from = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The version whose factors this fit started from; empty: from scratch.",
    )
    triggered_by = models.CharField(
        max_length=100, blank=True, help_text="schedule, data threshold, staff:<name>, command"
    )
    reason = models.TextField(blank=True, help_text="Why it was rejected or failed.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(state="active"), name="one_active_version_per_kind"
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(state__in=["queued", "training"]),
                name="one_training_per_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} v{self.pk} ({self.state})"

    @property
    def fit_start(self) -> str:
        return "cold" if self.warm_from is None else f"warm from v{self.warm_from}"


class FeedArm(models.Model):
    """An arm of the home-feed experiment. People are assigned by a hash of their id, in
    proportion to the arms' weights; staff edit the weights and the blend in the admin."""

    class Strategy(models.TextChoices):
        CHRONOLOGICAL = "chronological", "Chronological"
        PERSONALISED = "personalised", "Personalised"
        DIVERSE = "diverse", "Personalised with diversity"
        LEARNED = "learned", "Personalised, ordered by the learned ranker"

    name = models.SlugField(max_length=32, unique=True)
    strategy = models.CharField(max_length=16, choices=Strategy.choices)
    weight = models.PositiveIntegerField(
        default=1, help_text="Share of people in this arm, relative to the other arms."
    )
    is_control = models.BooleanField(default=False)
    blend = models.JSONField(
        default=dict,
        blank=True,
        help_text="Weights of the candidate sources: model, following, groups, trending, "
        "fresh. Empty: the defaults.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.get_strategy_display()}, weight {self.weight})"


class ServedCandidate(models.Model):
    """A post served on a ranked home page, with the ranker's features as they were when the
    page was ranked (feeds.ranker_features): the learned ranker's training data
    (feeds.ranker_data) never reads anything from after the moment it was served. Kept as
    long as the event log, and gone with the person's account."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    post_id = models.BigIntegerField()
    served_at = models.DateTimeField(db_index=True)
    arm = models.CharField(max_length=32)
    position = models.PositiveSmallIntegerField(help_text="Place in the feed's layout.")
    features = models.BinaryField(help_text="float32 values, in FEATURES order.")

    class Meta:
        indexes = [models.Index(fields=["user", "served_at"], name="served_user_time")]

    def __str__(self):
        return f"post {self.post_id} to {self.user_id} at {self.served_at:%Y-%m-%d %H:%M}"


class PostTombstone(models.Model):
    """A deleted post: written by a trigger on the post table for every delete (cascades
    included), so the recommender's trainable set (feeds.trainable_posts) learns of deletions
    without reading every post. Pruned after TOMBSTONE_DAYS."""

    post_id = models.BigIntegerField(primary_key=True)
    deleted_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"post {self.post_id} deleted at {self.deleted_at:%Y-%m-%d %H:%M}"


class Trend(models.Model):
    """A trending hashtag or post, from time-decayed counts, refreshed by a periodic task."""

    class Kind(models.TextChoices):
        HASHTAG = "hashtag", "Hashtag"
        POST = "post", "Post"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    hashtag = models.ForeignKey(
        "social.Hashtag", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    post = models.ForeignKey(
        "social.Post", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    score = models.FloatField()
    rank = models.PositiveSmallIntegerField()
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["kind", "rank"]
        indexes = [models.Index(fields=["kind", "rank"])]

    def __str__(self):
        return f"{self.kind} #{self.rank}: {self.hashtag or self.post_id}"


class TopicEngagement(models.Model):
    """How a person responds to a hashtag's posts when they are shown them: how many they were
    shown and how long they spent reading them. Kept from the event log by a periodic roll-up
    (feeds.topic_engagement), it is the learned ranker's view of the person's tastes from
    what they read *and* what they scrolled past, where likes say only the first. Gone with
    the person's account or the hashtag."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    hashtag = models.ForeignKey("social.Hashtag", on_delete=models.CASCADE, related_name="+")
    views = models.PositiveBigIntegerField(default=0)
    read_ms = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "hashtag"], name="topic_engagement_once")
        ]

    def __str__(self):
        return f"{self.user_id} on #{self.hashtag_id}: {self.views} views, {self.read_ms} ms"


class PostAudience(models.Model):
    """How long the people a post was shown to usually spend on its hashtags: the sum, over
    its impressions, of the viewer's seconds read per view of them (feeds.TopicEngagement
    as it stood then). Its reading time over this is its quality as its audience sees it,
    whoever the feed showed it to (feeds.topic_engagement)."""

    post = models.OneToOneField(
        "social.Post", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    expected_ms = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"post {self.post_id}: {self.expected_ms} ms expected"
