"""Ad figures for the rollups: revenue from the ads ledger, serving from the event log.

Revenue is what the ledger booked (every charged impression or click); ad impressions and
clicks are the AD_IMPRESSION and AD_CLICK events, which carry the campaign. Campaign and
advertiser are kept as plain ids in the rollups, so a report outlives a deleted campaign.
"""

from datetime import datetime

from django.db.models import Count, Q, Sum

from ads.models import Campaign, LedgerEntry
from events.models import Event, EventKind


def revenue_micros(start: datetime, end: datetime) -> int:
    booked = LedgerEntry.objects.filter(created_at__gte=start, created_at__lt=end)
    return int(booked.aggregate(total=Sum("amount_micros"))["total"] or 0)


def campaign_rows(start: datetime, end: datetime) -> list[dict]:
    """One dict per campaign that served or was charged in [start, end): impressions,
    clicks, spend_micros and advertiser_id."""
    rows: dict[int, dict] = {}

    def row(campaign_id: int) -> dict:
        return rows.setdefault(
            campaign_id,
            {"campaign_id": campaign_id, "advertiser_id": None, "impressions": 0, "clicks": 0,
             "spend_micros": 0},
        )  # fmt: skip

    served = (
        Event.objects.filter(
            created_at__gte=start,
            created_at__lt=end,
            kind__in=[EventKind.AD_IMPRESSION, EventKind.AD_CLICK],
            campaign_id__isnull=False,
        )
        .values("campaign_id")
        .annotate(
            impressions=Count("id", filter=Q(kind=EventKind.AD_IMPRESSION)),
            clicks=Count("id", filter=Q(kind=EventKind.AD_CLICK)),
        )
    )
    for served_row in served:
        entry = row(served_row["campaign_id"])
        entry["impressions"] = served_row["impressions"]
        entry["clicks"] = served_row["clicks"]
    charged = (
        LedgerEntry.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("campaign_id", "campaign__advertiser_id")
        .annotate(spend=Sum("amount_micros"))
    )
    for charged_row in charged:
        entry = row(charged_row["campaign_id"])
        entry["spend_micros"] = int(charged_row["spend"] or 0)
        entry["advertiser_id"] = charged_row["campaign__advertiser_id"]
    missing = [c for c, entry in rows.items() if entry["advertiser_id"] is None]
    if missing:
        for campaign_id, advertiser_id in Campaign.objects.filter(pk__in=missing).values_list(
            "pk", "advertiser_id"
        ):
            rows[campaign_id]["advertiser_id"] = advertiser_id
    return sorted(rows.values(), key=lambda entry: entry["campaign_id"])
