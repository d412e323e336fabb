"""What the ads API reads and writes. Amounts come in and go out as decimal currency strings
("0.35") next to their exact integer micros; the rules (budgets, dates, states, ownership)
live in ads.services, which these serializers call through the views."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import AgeBracket, Region
from ads.models import Advertiser, Campaign, Creative
from ads.money import as_decimal_string, to_micros
from flywheel.images import validate_image_upload

MONEY_HELP = 'An amount of currency as a decimal string, e.g. "0.35".'


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": r"^\d{1,10}(\.\d{1,6})?$",
        "example": "0.35",
    }
)
class MoneyField(serializers.DecimalField):
    """A decimal amount in, micros to the service; out as a decimal string. The schema says
    what is accepted: digits, optionally a point and up to six decimals."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", MONEY_HELP)
        super().__init__(max_digits=16, decimal_places=6, **kwargs)

    def to_internal_value(self, data):
        return to_micros(super().to_internal_value(data))

    def to_representation(self, value):
        return as_decimal_string(value)


# --- the sponsored items of a feed -----------------------------------------------------


class SponsoredAdvertiserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SponsoredSerializer(serializers.Serializer):
    """An ad in the home feed. Show it before results[position], labelled "Sponsored", with
    `why`; send the person to `click_url` (it records the click and redirects to the link);
    POST to `hide_url` to hide the advertiser."""

    position = serializers.IntegerField(
        source="index", help_text="Index in `results` this ad is shown before."
    )
    campaign_id = serializers.IntegerField()
    creative_id = serializers.IntegerField()
    advertiser = serializers.SerializerMethodField()
    headline = serializers.CharField()
    text = serializers.CharField()
    link = serializers.URLField()
    image_url = serializers.SerializerMethodField()
    topics = serializers.ListField(
        child=serializers.CharField(), help_text="Hashtag names the campaign targets."
    )
    why = serializers.CharField(help_text="The targeting that matched, in words.")
    click_url = serializers.SerializerMethodField()
    hide_url = serializers.SerializerMethodField()

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_advertiser(self, item) -> SponsoredAdvertiserSerializer:
        return {"id": item.advertiser_id, "name": item.advertiser_name}

    def get_image_url(self, item) -> str | None:
        if not item.image:
            return None
        from django.core.files.storage import default_storage

        return self._absolute(default_storage.url(item.image))

    def get_click_url(self, item) -> str:
        return self._absolute(reverse("ads:click", args=[item.click_token]))

    def get_hide_url(self, item) -> str:
        return self._absolute(reverse("api-ads-hide", args=[item.advertiser_id]))


def sponsored_data(items, request) -> list[dict]:
    return SponsoredSerializer(items, many=True, context={"request": request}).data


# --- advertisers, campaigns, creatives -------------------------------------------------


class TopicsField(serializers.ListField):
    """Hashtag names in; the campaign's hashtags (prefetched) out, sorted."""

    def to_representation(self, hashtags):
        return sorted(h.name for h in hashtags.all())


class AdvertiserSerializer(serializers.ModelSerializer):
    class Meta:
        model = Advertiser
        fields = ["id", "name", "billing_email", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {
            "name": {"error_messages": {"blank": "Give the name people will see on your ads."}},
            "billing_email": {"error_messages": {"blank": "Give an email address for billing."}},
        }


class CampaignSerializer(serializers.ModelSerializer):
    """A campaign with its figures. Money as decimal strings; `*_micros` the exact values."""

    bid = MoneyField(source="bid_micros", help_text="Per click (CPC) or per thousand (CPM).")
    daily_budget = MoneyField(source="daily_budget_micros")
    total_budget = MoneyField(source="total_budget_micros")
    spent = MoneyField(source="spent_micros", read_only=True)
    budget_left = MoneyField(source="budget_left_micros", read_only=True)
    topics = TopicsField(
        child=serializers.CharField(max_length=65),
        required=False,
        help_text="Hashtag names to target (interests and topics); empty: anyone.",
    )
    # Checked by the services ("Unknown region: ..."); plain strings here, so the choice sets
    # keep the one name the accounts API gives them in the schema.
    age_brackets = serializers.ListField(
        child=serializers.CharField(max_length=8),
        required=False,
        help_text="Age brackets to reach: " + ", ".join(v for v in AgeBracket.values if v),
    )
    regions = serializers.ListField(
        child=serializers.CharField(max_length=4),
        required=False,
        help_text="Regions to reach: " + ", ".join(v for v in Region.values if v),
    )

    class Meta:
        model = Campaign
        fields = [
            "id", "name", "objective", "bid_type", "bid", "bid_micros", "daily_budget",
            "daily_budget_micros", "total_budget", "total_budget_micros", "spent",
            "spent_micros", "budget_left", "starts_on", "ends_on", "state", "topics",
            "age_brackets", "regions", "lookalike", "frequency_cap", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "id", "bid_micros", "daily_budget_micros", "total_budget_micros", "spent_micros",
            "state", "created_at", "updated_at",
        ]  # fmt: skip


class CampaignUpdateSerializer(CampaignSerializer):
    """Every field optional: only what is sent changes."""

    def __init__(self, *args, **kwargs):
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class CreativeSerializer(serializers.ModelSerializer):
    image = serializers.FileField(
        required=False,
        allow_null=True,
        validators=[validate_image_upload],
        help_text="Optional: a JPEG, PNG, GIF or WebP picture.",
    )
    image_url = serializers.SerializerMethodField()

    class Meta:
        model = Creative
        fields = [
            "id", "campaign", "headline", "text", "link", "image", "image_url", "review_state",
            "review_reason", "reviewed_at", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "id", "campaign", "image_url", "review_state", "review_reason", "reviewed_at",
            "created_at", "updated_at",
        ]  # fmt: skip
        extra_kwargs = {"image": {"write_only": True}}

    def get_image_url(self, creative) -> str | None:
        if not creative.image:
            return None
        request = self.context.get("request")
        url = creative.image.url
        return request.build_absolute_uri(url) if request is not None else url


class CampaignReportDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    impressions = serializers.IntegerField()
    clicks = serializers.IntegerField()
    ctr = serializers.FloatField(allow_null=True, help_text="Clicks per impression.")
    spent = serializers.SerializerMethodField()
    spent_micros = serializers.IntegerField()
    ecpm = serializers.SerializerMethodField(help_text="Spend per thousand impressions.")
    budget_left = serializers.SerializerMethodField(help_text="Of the total, at the day's end.")

    def get_spent(self, row) -> str:
        return as_decimal_string(row.spent_micros)

    def get_ecpm(self, row) -> str | None:
        return None if row.ecpm_micros is None else as_decimal_string(row.ecpm_micros)

    def get_budget_left(self, row) -> str:
        return as_decimal_string(row.budget_left_micros)


class CampaignReportSerializer(serializers.Serializer):
    campaign = serializers.IntegerField(source="campaign_id")
    start = serializers.DateField()
    end = serializers.DateField()
    days = CampaignReportDaySerializer(many=True, source="rows")
    total = CampaignReportDaySerializer()


class HiddenAdvertiserSerializer(serializers.Serializer):
    advertiser = SponsoredAdvertiserSerializer()
    hidden = serializers.BooleanField()
