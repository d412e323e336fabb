"""Money: every charge moves budget into the ledger, or nothing moves.

The promise is "not one cent of overspend", under any number of web processes. So the check
and the write are one statement each, decided by the database, never a read in Python
followed by a write:

1. `UPDATE ads_campaign SET spent = spent + price WHERE id = ... AND spent + price <= total`
   (and, for an impression, while the campaign is active and within its dates). PostgreSQL
   locks the row and re-checks the condition against the latest committed spend, so two
   charges racing for the last cent cannot both pass.
2. `INSERT INTO ads_campaignday ... ON CONFLICT (campaign, day) DO UPDATE SET spent = spent +
   price WHERE spent + price <= the campaign's daily budget`: the same for the day.
3. The ledger row.

All three in one transaction (a savepoint when nested): if step 2 refuses, step 1 is rolled
back. A campaign's spend is therefore always the sum of its ledger, which a check constraint
also keeps within the total budget. Tested with concurrent auctions and clicks on PostgreSQL.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ads.models import Campaign, CampaignDay, LedgerEntry

Kind = LedgerEntry.Kind
BUDGET_COLUMNS = (
    "id", "spent_today", "daily_budget_micros", "total_budget_micros", "spent_micros", "bid_micros",
)  # fmt: skip


class _Refused(Exception):
    """The day's budget refused the charge: roll the campaign's part back too."""


def _bump_day(
    campaign_id: int, day: date, *, spent: int, impressions: int, clicks: int, enforce: bool
) -> bool:
    """Add to a campaign's day, in one upsert; with `enforce`, only if the day's spend stays
    within the campaign's daily budget (read in the same statement). False if refused."""
    table = CampaignDay._meta.db_table
    campaigns = Campaign._meta.db_table
    condition = (
        f" WHERE {table}.spent_micros + excluded.spent_micros <= "
        f"(SELECT daily_budget_micros FROM {campaigns} WHERE id = excluded.campaign_id)"
        if enforce
        else ""
    )
    sql = (
        f"INSERT INTO {table} (campaign_id, day, spent_micros, impressions, clicks) "
        "VALUES (%s, %s, %s, %s, %s) "
        "ON CONFLICT (campaign_id, day) DO UPDATE SET "
        f"spent_micros = {table}.spent_micros + excluded.spent_micros, "
        f"impressions = {table}.impressions + excluded.impressions, "
        f"clicks = {table}.clicks + excluded.clicks"
        f"{condition} RETURNING id"
    )
    day_value = connection.ops.adapt_datefield_value(day)
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign_id, day_value, spent, impressions, clicks])
        return cursor.fetchone() is not None


def charge(
    *,
    campaign_id: int,
    kind: str,
    amount_micros: int,
    person_id: int | None,
    creative_id: int | None = None,
    now: datetime | None = None,
    require_active: bool = True,
) -> LedgerEntry | None:
    """Charge one impression or click; the ledger row, or None when a budget (or the
    campaign's state) refused it. Counts the impression or click on the campaign's day."""
    if amount_micros <= 0:
        raise ValueError("a charge is a positive number of micros")
    now = now or timezone.now()
    today = timezone.localdate(now)
    campaign = Campaign.objects.filter(
        pk=campaign_id, spent_micros__lte=F("total_budget_micros") - amount_micros
    )
    if require_active:
        campaign = campaign.filter(
            state=Campaign.State.ACTIVE, starts_on__lte=today, ends_on__gte=today
        )
    try:
        with transaction.atomic():
            if not campaign.update(spent_micros=F("spent_micros") + amount_micros):
                return None
            counted = {
                "impressions": int(kind == Kind.IMPRESSION),
                "clicks": int(kind == Kind.CLICK),
            }
            if not _bump_day(campaign_id, today, spent=amount_micros, enforce=True, **counted):
                raise _Refused
            return LedgerEntry.objects.create(
                campaign_id=campaign_id,
                creative_id=creative_id,
                kind=kind,
                amount_micros=amount_micros,
                person_id=person_id,
                created_at=now,
            )
    except _Refused:
        return None


def count_on_day(
    campaign_id: int, *, impressions: int = 0, clicks: int = 0, now: datetime | None = None
):
    """Count what is not charged (a CPC campaign's impressions, a CPM campaign's clicks)."""
    today = timezone.localdate(now or timezone.now())
    _bump_day(campaign_id, today, spent=0, impressions=impressions, clicks=clicks, enforce=False)


@dataclass(frozen=True)
class Budgets:
    spent_today: int
    daily: int
    left_total: int
    bid: int


def live_budgets(campaign_ids, today: date) -> dict[int, Budgets]:
    """Fresh spend and budgets of these campaigns, only those still active (one query): the
    index may be seconds old, money must not be."""
    if not len(campaign_ids):
        return {}
    today_spend = CampaignDay.objects.filter(campaign=OuterRef("pk"), day=today).values(
        "spent_micros"
    )
    ids = [int(pk) for pk in campaign_ids]
    rows = (
        Campaign.objects.filter(pk__in=ids, state=Campaign.State.ACTIVE)
        .annotate(
            spent_today=Coalesce(Subquery(today_spend), Value(0), output_field=IntegerField())
        )
        .values_list(*BUDGET_COLUMNS)
    )
    return {
        pk: Budgets(spent_today=spent_today, daily=daily, left_total=total - spent, bid=bid)
        for pk, spent_today, daily, total, spent, bid in rows
    }


def recent_click_exists(*, person_id: int, campaign_id: int, now: datetime) -> bool:
    """Did this person click this campaign's ad within the dedupe window?"""
    from analytics.models import Event, EventKind

    window = timedelta(seconds=settings.ADS_CLICK_DEDUPE_SECONDS)
    return Event.objects.filter(
        user_id=person_id,
        kind=EventKind.AD_CLICK,
        campaign_id=campaign_id,
        created_at__gte=now - window,
    ).exists()


def lock_campaign(campaign_id: int) -> bool:
    """Hold the campaign's row until the transaction ends (serialises a person's repeated
    clicks, so the dedupe check cannot be raced)."""
    locked = Campaign.objects.select_for_update().filter(pk=campaign_id).values_list("id")
    return bool(list(locked))
