"""Advertisers, campaigns, creatives and the money: a ledger of every charge.

Money is integer micros everywhere (1 currency unit = 1,000,000 micros) in BigIntegerFields:
no float ever touches a price. The database holds the last line of defence for the promise
"never one cent of overspend": check constraints keep a campaign's spend within its total
budget, and the charge itself is a conditional UPDATE (ads.billing).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from flywheel.images import stored_image_name, validate_image_upload


class Advertiser(models.Model):
    """Anyone can become an advertiser: a name the public sees and a billing contact."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="advertiser"
    )
    name = models.CharField(max_length=80, help_text="Shown on your ads.")
    billing_email = models.EmailField(help_text="Where invoices and budget notices go.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Campaign(models.Model):
    class Objective(models.TextChoices):
        AWARENESS = "awareness", "Awareness: be seen"
        TRAFFIC = "traffic", "Traffic: visits to your site"
        ENGAGEMENT = "engagement", "Engagement: people who act"

    class BidType(models.TextChoices):
        CPC = "cpc", "Per click (CPC)"
        CPM = "cpm", "Per thousand impressions (CPM)"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        FINISHED = "finished", "Finished"
        REJECTED = "rejected", "Rejected"

    advertiser = models.ForeignKey(Advertiser, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=100)
    objective = models.CharField(
        max_length=12, choices=Objective.choices, default=Objective.TRAFFIC
    )
    bid_type = models.CharField(max_length=3, choices=BidType.choices, default=BidType.CPC)
    bid_micros = models.BigIntegerField(help_text="Per click, or per thousand impressions.")
    daily_budget_micros = models.BigIntegerField()
    total_budget_micros = models.BigIntegerField()
    spent_micros = models.BigIntegerField(default=0, help_text="Always the sum of the ledger.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.DRAFT)
    # Targeting. Empty means "anyone" for that dimension.
    topics = models.ManyToManyField(
        "social.Hashtag", blank=True, related_name="+", help_text="Interests and topics."
    )
    age_brackets = models.JSONField(default=list, blank=True)
    regions = models.JSONField(default=list, blank=True)
    lookalike = models.BooleanField(
        default=False, help_text="Reach people like those who engage with your own posts."
    )
    frequency_cap = models.PositiveSmallIntegerField(
        default=3, help_text="Most times one person sees this campaign in a day."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["state", "ends_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(bid_micros__gt=0), name="campaign_bid_positive"),
            models.CheckConstraint(
                condition=Q(daily_budget_micros__gte=F("bid_micros")),
                name="campaign_daily_budget_covers_a_bid",
            ),
            models.CheckConstraint(
                condition=Q(total_budget_micros__gte=F("daily_budget_micros")),
                name="campaign_total_budget_covers_a_day",
            ),
            models.CheckConstraint(
                condition=Q(spent_micros__gte=0) & Q(spent_micros__lte=F("total_budget_micros")),
                name="campaign_spend_within_budget",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="campaign_ends_after_it_starts"
            ),
            models.CheckConstraint(
                condition=Q(frequency_cap__gte=1), name="campaign_frequency_cap_positive"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def budget_left_micros(self) -> int:
        return self.total_budget_micros - self.spent_micros

    @property
    def is_cpc(self) -> bool:
        return self.bid_type == self.BidType.CPC


class CampaignDay(models.Model):
    """A campaign's counters for one day: what the daily budget and the reports read. The
    spend here moves in the same transaction as the ledger row, by a conditional upsert."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    spent_micros = models.BigIntegerField(default=0)
    impressions = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "day"], name="one_row_per_campaign_day"),
            models.CheckConstraint(condition=Q(spent_micros__gte=0), name="day_spend_positive"),
        ]

    def __str__(self):
        return f"{self.campaign_id} on {self.day}"


def creative_image_upload_to(creative, filename):
    return stored_image_name("ads", creative.image.file)


class Creative(models.Model):
    """What people see. Staff approve or reject it (with a reason) before it serves; editing
    it sends it back to review."""

    class Review(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="creatives")
    headline = models.CharField(max_length=60)
    text = models.CharField(max_length=200)
    link = models.URLField(max_length=500)
    image = models.ImageField(
        upload_to=creative_image_upload_to, blank=True, validators=[validate_image_upload]
    )
    review_state = models.CharField(
        max_length=8, choices=Review.choices, default=Review.PENDING, db_index=True
    )
    review_reason = models.TextField(
        blank=True, help_text="Why it was rejected; the advertiser sees this."
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [  # /media/ looks a file up by its name
            models.Index(fields=["image"], name="creative_image", condition=~Q(image=""))
        ]

    def __str__(self):
        return self.headline


class LedgerEntry(models.Model):
    """One charged impression or click and its price. A campaign's spend is the sum of its
    ledger; platform revenue is the sum of everyone's."""

    class Kind(models.TextChoices):
        IMPRESSION = "impression", "Impression"
        CLICK = "click", "Click"

    # Revenue outlives the campaign: when an advertiser deletes their account, their
    # campaigns go and the ledger keeps its rows (the platform did earn the money).
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, related_name="ledger"
    )
    creative = models.ForeignKey(
        Creative, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount_micros = models.BigIntegerField()
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "ledger entries"
        indexes = [models.Index(fields=["campaign", "created_at"], name="ledger_campaign_time")]
        constraints = [
            models.CheckConstraint(condition=Q(amount_micros__gt=0), name="ledger_amount_positive")
        ]

    def __str__(self):
        return f"{self.kind} {self.amount_micros} µ for campaign {self.campaign_id}"


class AdImpression(models.Model):
    """An ad the server showed someone: what a click on it may do, decided when it was
    served. The click link names it (its AD_IMPRESSION event) and the person; a click is
    charged at most once (`clicked_at` is claimed by one conditional UPDATE), at most the
    campaign's bid at serve time, only while the campaign and the ad are still live, and
    leads to the link approved when it was served, whatever the ad says now."""

    event_id = models.BigIntegerField(primary_key=True, help_text="The AD_IMPRESSION event.")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.SET_NULL, null=True, related_name="+")
    creative = models.ForeignKey(Creative, on_delete=models.SET_NULL, null=True, related_name="+")
    click_price_micros = models.BigIntegerField(default=0, help_text="0: clicks are free.")
    link = models.URLField(max_length=500)
    served_at = models.DateTimeField(db_index=True)
    clicked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(click_price_micros__gte=0), name="impression_click_price_positive"
            )
        ]

    def __str__(self):
        return f"impression {self.event_id} of campaign {self.campaign_id}"


class HiddenAdvertiser(models.Model):
    """A person asked not to see this advertiser's ads again."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hidden_advertisers"
    )
    advertiser = models.ForeignKey(Advertiser, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "advertiser"], name="hide_advertiser_once")
        ]

    def __str__(self):
        return f"{self.person_id} hides {self.advertiser_id}"
