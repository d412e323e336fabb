"""The simulated world's ground truth: topics, the bots' true tastes, each post's true topics.

The site itself never reads these tables (except the bots-only "ideal" feed, whose whole point
is to rank by the truth); they are what the bots behave by and what the loop report judges
the models against.
"""

from django.conf import settings
from django.db import models


class Topic(models.Model):
    """One subject people post about, with the hashtags and words such posts use. `index` is
    the topic's position in every taste vector."""

    index = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=40, unique=True)
    hashtags = models.JSONField(default=list, help_text="Hashtag names, without '#'.")
    vocabulary = models.JSONField(
        default=dict, help_text="Words of the topic: nouns, activities, adjectives."
    )
    popularity = models.FloatField(help_text="Share of the population's interest, sums to 1.")
    groups = models.ManyToManyField("social.Group", blank=True, related_name="+")

    class Meta:
        ordering = ["index"]

    def __str__(self):
        return self.name


class BotProfile(models.Model):
    """A bot: a real account (`is_bot`) plus the truth about how it behaves."""

    class Origin(models.TextChoices):
        SEED = "seed", "Seeded"
        SIGNUP = "signup", "Signed up while the simulation ran"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="bot"
    )
    taste = models.JSONField(help_text="True interest per topic (by topic index), sums to 1.")
    activity = models.FloatField(help_text="Sessions per simulated day when content is good.")
    post_propensity = models.FloatField(help_text="Chance of writing a post in a session.")
    session_length = models.FloatField(help_text="Mean number of posts scrolled per session.")
    position_decay = models.FloatField(
        help_text="Attention at position i is decay**i: how fast interest falls down a list."
    )
    like_rate = models.FloatField(help_text="Chance of liking a read post of utility 1.")
    share_rate = models.FloatField()
    comment_rate = models.FloatField()
    follow_rate = models.FloatField(help_text="Chance of following the author of a liked post.")
    click_rate = models.FloatField(help_text="Chance of opening a read post of utility 1.")
    ad_click_rate = models.FloatField(help_text="Chance of clicking a seen ad of utility 1.")
    origin = models.CharField(max_length=8, choices=Origin.choices, default=Origin.SEED)
    satisfaction = models.FloatField(
        default=0.3, help_text="Moving average of the utility of what the bot read."
    )
    sessions = models.PositiveIntegerField(default=0)
    last_session_at = models.DateTimeField(null=True, blank=True)
    churned_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="When boredom made it stop coming."
    )
    api_token = models.CharField(
        max_length=255,
        blank=True,
        help_text="The bearer token the bot's app keeps between runs, as apps do (the site "
        "stores only its checksum); blank when it must sign in.",
    )

    class Meta:
        ordering = ["user_id"]

    def __str__(self):
        return f"bot {self.user_id}"


class PostTruth(models.Model):
    """What a bot's post is really about (its topic mix) and how good it is."""

    post = models.OneToOneField(
        "social.Post", on_delete=models.CASCADE, primary_key=True, related_name="truth"
    )
    topics = models.JSONField(help_text="Topic index -> weight, weights sum to 1.")
    main_topic = models.PositiveSmallIntegerField(help_text="Index of the heaviest topic.")
    quality = models.FloatField(help_text="Multiplies utility; 1 is an ordinary post.")

    class Meta:
        indexes = [models.Index(fields=["main_topic", "-post"], name="truth_topic_newest")]

    def __str__(self):
        return f"truth of post {self.post_id}"


class ModelTruthScore(models.Model):
    """How a feed model version knows the bots' true tastes, measured once while its artifact
    exists (old artifacts are pruned), so the loop report can show every version."""

    version = models.OneToOneField(
        "feeds.ModelVersion", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    recall = models.FloatField(help_text="Recall@20 against each sampled bot's true top 20.")
    utility_ratio = models.FloatField(
        help_text="True utility of the model's top 20 over that of the true top 20."
    )
    bots = models.PositiveIntegerField(help_text="Bots sampled.")
    items = models.PositiveIntegerField(help_text="Posts the version knows.")
    posts_upto = models.BigIntegerField(null=True, help_text="The newest post the version knows.")
    first_posts_upto = models.BigIntegerField(
        null=True, help_text="The newest post the first served version knew."
    )
    first_posts_recall = models.FloatField(
        null=True, help_text="Recall@20 among the posts the first served version knew."
    )
    new_posts_recall = models.FloatField(
        null=True, help_text="Recall@20 among the posts made after those."
    )
    computed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"truth score of v{self.version_id}"
