"""The observatory's rollups of the event log (the log itself is `events.models.Event`).

Dashboards never scan the event log: periodic tasks (analytics.rollups) aggregate it into
these tables, one row per hour or per day (and per arm, model version or campaign). Each row
is recomputed whole from the events of its period, so a rerun gives the same numbers and a
late event is folded in by the next run that covers its period.
"""

from django.db import models


class PeriodTotals(models.Model):
    """Site-wide counts for one period. Engagement (people, sessions, impressions, likes...)
    lives in the arm tables, computed by `analytics.engagement`, the one definition of it."""

    period_start = models.DateTimeField(unique=True)
    events = models.PositiveIntegerField(default=0, help_text="Every event, of any kind.")
    model_impressions = models.PositiveIntegerField(
        default=0, help_text="Impressions of posts that a model version placed."
    )
    home_impressions = models.PositiveIntegerField(
        default=0, help_text="Impressions of posts on the home feed (where sponsored slots are)."
    )
    home_ad_impressions = models.PositiveIntegerField(
        default=0, help_text="Ads shown in the home feed's sponsored slots."
    )
    home_ad_slots = models.PositiveIntegerField(
        default=0, help_text="Sponsored slots the home feed served, with an ad or without."
    )
    unlikes = models.PositiveIntegerField(default=0)
    follows = models.PositiveIntegerField(default=0)
    searches = models.PositiveIntegerField(default=0)
    group_joins = models.PositiveIntegerField(default=0)
    signups = models.PositiveIntegerField(default=0)
    revenue_micros = models.BigIntegerField(
        default=0, help_text="Ad revenue booked in the period (1 unit = 1,000,000 micros)."
    )
    computed_at = models.DateTimeField(help_text="When this row was last recomputed.")

    class Meta:
        abstract = True
        ordering = ["period_start"]

    def __str__(self):
        return f"{self.period_start:%Y-%m-%d %H:%M}: {self.events} events"


class HourlyTotals(PeriodTotals):
    class Meta(PeriodTotals.Meta):
        verbose_name_plural = "hourly totals"


class DailyTotals(PeriodTotals):
    """A day's totals and the measures of the whole system that cannot be added up from
    hours: distinct people, churn, concentration, diversity and homogenisation."""

    churned_people = models.PositiveIntegerField(
        default=0, help_text="Active in the week before last, not active in the last 7 days."
    )
    # Privacy switches are current state, not history: they are observed only while the day
    # is today, and a day rolled up later (a backfill) leaves them unknown rather than guess.
    accounts = models.PositiveIntegerField(
        null=True, blank=True, help_text="Active accounts, observed that day."
    )
    feed_opted_out = models.PositiveIntegerField(
        null=True, blank=True, help_text="Accounts with the personalised feed turned off."
    )
    ads_opted_out = models.PositiveIntegerField(
        null=True, blank=True, help_text="Accounts with personalised ads turned off."
    )
    authors_shown = models.PositiveIntegerField(default=0)
    author_gini = models.FloatField(default=0, help_text="Gini of impressions across authors.")
    author_top1_share = models.FloatField(
        default=0, help_text="Share of impressions going to the top 1% of authors."
    )
    new_creators = models.PositiveIntegerField(
        default=0, help_text="People whose first post was in the last 7 days."
    )
    new_creators_reached = models.PositiveIntegerField(
        default=0, help_text="New creators whose posts reached ANALYTICS_AUDIENCE_MIN people."
    )
    sampled_people = models.PositiveIntegerField(
        default=0, help_text="People sampled for topic diversity and homogenisation."
    )
    topic_entropy = models.FloatField(
        default=0, help_text="Mean entropy (bits) of the hashtags each sampled person saw."
    )
    homogenisation = models.FloatField(
        default=0, help_text="Mean Jaccard similarity of the posts pairs of people saw."
    )

    class Meta(PeriodTotals.Meta):
        verbose_name_plural = "daily totals"


class ArmEngagementCounts(models.Model):
    """`analytics.engagement.ArmEngagement` stored for one period and arm ("" = no arm)."""

    period_start = models.DateTimeField()
    arm = models.CharField(max_length=32, blank=True)
    people = models.PositiveIntegerField(default=0)
    sessions = models.PositiveIntegerField(default=0)
    impressions = models.PositiveIntegerField(default=0)
    likes = models.PositiveIntegerField(default=0)
    shares = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)
    dwell_ms = models.PositiveBigIntegerField(default=0)
    posts = models.PositiveIntegerField(default=0)
    ad_impressions = models.PositiveIntegerField(default=0)
    ad_clicks = models.PositiveIntegerField(default=0)
    following_impressions = models.PositiveIntegerField(
        default=0, help_text="Impressions on the home page's Following tab."
    )
    # On For you alone (surface home), what the experiments compare arms on. NULL in rows
    # rolled up before reactions recorded their surface (analytics 0010), and in any period
    # whose reactions carry no surface at all: where they happened is not known there, so
    # the experiments leave those periods out rather than count their reactions as zero.
    for_you_impressions = models.PositiveIntegerField(
        null=True, blank=True, help_text="Impressions on For you (NULL: not known)."
    )
    for_you_likes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Likes made on For you (NULL: not known)."
    )
    for_you_shares = models.PositiveIntegerField(
        null=True, blank=True, help_text="Shares made on For you (NULL: not known)."
    )
    for_you_comments = models.PositiveIntegerField(
        null=True, blank=True, help_text="Comments made on For you (NULL: not known)."
    )
    for_you_clicks = models.PositiveIntegerField(
        null=True, blank=True, help_text="Clicks on For you (NULL: not known)."
    )
    for_you_dwell_ms = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Dwell on For you (NULL: not known)."
    )

    class Meta:
        abstract = True
        ordering = ["period_start", "arm"]

    def __str__(self):
        return f"{self.period_start:%Y-%m-%d %H:%M} {self.arm or '(no arm)'}: {self.people}"


class HourlyArmEngagement(ArmEngagementCounts):
    class Meta(ArmEngagementCounts.Meta):
        verbose_name_plural = "hourly engagement by arm"
        constraints = [
            models.UniqueConstraint(fields=["period_start", "arm"], name="hourly_arm_once")
        ]


class DailyArmEngagement(ArmEngagementCounts):
    class Meta(ArmEngagementCounts.Meta):
        verbose_name_plural = "daily engagement by arm"
        constraints = [
            models.UniqueConstraint(fields=["period_start", "arm"], name="daily_arm_once")
        ]


class VersionImpressionCounts(models.Model):
    """How many impressions each model version placed in one period."""

    period_start = models.DateTimeField()
    model_version = models.PositiveIntegerField()
    impressions = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["period_start", "model_version"]

    def __str__(self):
        return f"{self.period_start:%Y-%m-%d %H:%M} v{self.model_version}: {self.impressions}"


class HourlyVersionImpressions(VersionImpressionCounts):
    class Meta(VersionImpressionCounts.Meta):
        verbose_name_plural = "hourly impressions by model version"
        constraints = [
            models.UniqueConstraint(
                fields=["period_start", "model_version"], name="hourly_version_once"
            )
        ]


class DailyVersionImpressions(VersionImpressionCounts):
    class Meta(VersionImpressionCounts.Meta):
        verbose_name_plural = "daily impressions by model version"
        constraints = [
            models.UniqueConstraint(
                fields=["period_start", "model_version"], name="daily_version_once"
            )
        ]


class DailyCampaignStats(models.Model):
    """One campaign's ad impressions, clicks and spend on one day (from the ledger)."""

    period_start = models.DateTimeField()
    campaign_id = models.BigIntegerField()
    advertiser_id = models.BigIntegerField(null=True, blank=True)
    impressions = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)
    spend_micros = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["period_start", "campaign_id"]
        verbose_name_plural = "daily campaign stats"
        constraints = [
            models.UniqueConstraint(
                fields=["period_start", "campaign_id"], name="campaign_day_once"
            )
        ]

    def __str__(self):
        return f"{self.period_start:%Y-%m-%d} campaign {self.campaign_id}: {self.impressions}"
