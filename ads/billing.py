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

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from ads.models import Campaign, CampaignDay, LedgerEntry

Kind = LedgerEntry.Kind


class _Refused(Exception):
    """The day's budget refused the charge: roll the campaign's part back too."""


def _bump_day(
    campaign_id: int, day: date, *, spent: int, impressions: int, clicks: int, enforce: bool
) -> bool:
    """Add to a campaign's day, in one upsert; with `enforce`, only if the day's spend stays
    within the campaign's daily budget (read in the same statement). False if refused."""
    return bool(_bump_days({campaign_id: (spent, impressions, clicks)}, day, enforce=enforce))


def _bump_days(counts: dict[int, tuple[int, int, int]], day: date, *, enforce: bool) -> int:
    """Add (spent, impressions, clicks) to each campaign's day in one upsert, the rows in
    campaign id order (so two transactions lock them in the same order); how many rows were
    written (with `enforce`, a day whose spend would pass its daily budget is not)."""
    table = CampaignDay._meta.db_table
    campaigns = Campaign._meta.db_table
    condition = (
        f" WHERE {table}.spent_micros + excluded.spent_micros <= "
        f"(SELECT daily_budget_micros FROM {campaigns} WHERE id = excluded.campaign_id)"
        if enforce
        else ""
    )
    rows = ", ".join(["(%s, %s, %s, %s, %s)"] * len(counts))
    sql = (
        f"INSERT INTO {table} (campaign_id, day, spent_micros, impressions, clicks) "
        f"VALUES {rows} "
        "ON CONFLICT (campaign_id, day) DO UPDATE SET "
        f"spent_micros = {table}.spent_micros + excluded.spent_micros, "
        f"impressions = {table}.impressions + excluded.impressions, "
        f"clicks = {table}.clicks + excluded.clicks"
        f"{condition} RETURNING id"
    )
    day_value = connection.ops.adapt_datefield_value(day)
    params = [
        value
        for campaign_id in sorted(counts)
        for value in (campaign_id, day_value, *counts[campaign_id])
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return len(cursor.fetchall())


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


def count_impressions(campaign_ids, *, now: datetime) -> None:
    """Count one uncharged impression (CPC) for each of these campaigns, in one upsert."""
    counts = Counter(int(pk) for pk in campaign_ids)
    if counts:
        day = timezone.localdate(now)
        _bump_days({pk: (0, shown, 0) for pk, shown in counts.items()}, day, enforce=False)


@dataclass(frozen=True)
class LiveBudgets:
    """Spend and budgets of campaigns, as arrays in the order of the ids asked for."""

    active: np.ndarray  # bool: still active (a paused or finished campaign is out)
    spent_today: np.ndarray
    daily: np.ndarray
    left_total: np.ndarray
    bid: np.ndarray


def live_budgets(campaign_ids, today: date) -> LiveBudgets:
    """Spend and budgets of these campaigns, in one lean query (for the index's thousand
    campaigns at once)."""
    ids = [int(pk) for pk in campaign_ids]
    columns = [np.zeros(len(ids), dtype=np.int64) for _ in range(4)]
    active = np.zeros(len(ids), dtype=bool)
    if ids:
        position = {pk: n for n, pk in enumerate(ids)}
        days, campaigns = CampaignDay._meta.db_table, Campaign._meta.db_table
        sql = (
            "SELECT c.id, COALESCE(d.spent_micros, 0), c.daily_budget_micros,"
            " c.total_budget_micros - c.spent_micros, c.bid_micros"
            f" FROM {campaigns} c LEFT JOIN {days} d ON d.campaign_id = c.id AND d.day = %s"
            f" WHERE c.state = %s AND c.id IN ({', '.join(['%s'] * len(ids))})"
        )
        day = connection.ops.adapt_datefield_value(today)
        with connection.cursor() as cursor:
            cursor.execute(sql, [day, Campaign.State.ACTIVE, *ids])
            for pk, *values in cursor.fetchall():
                n = position[pk]
                active[n] = True
                for column, value in zip(columns, values, strict=True):
                    column[n] = value
    spent_today, daily, left_total, bid = columns
    return LiveBudgets(active, spent_today, daily, left_total, bid)


def recent_click_exists(*, person_id: int, campaign_id: int, now: datetime) -> bool:
    """Did this person click this campaign's ad within the dedupe window?"""
    from events.models import Event, EventKind

    window = timedelta(seconds=settings.ADS_CLICK_DEDUPE_SECONDS)
    return Event.objects.filter(
        user_id=person_id,
        kind=EventKind.AD_CLICK,
        campaign_id=campaign_id,
        created_at__gte=now - window,
    ).exists()
