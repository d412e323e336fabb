"""The ads dashboard: revenue, eCPM, click-through, fill rate and budget use, by day, by
campaign and by advertiser, from the daily rollups (and the campaigns' names and budgets).

Fill rate is the share of the home feed's sponsored slots that showed an ad: ads served over
slots served, both counted when the page is served (AD_IMPRESSION and AD_SLOTS events). For
periods before the feed counted its slots it is estimated: the feed reserves one slot after
every five posts (`feeds.snapshot.SPONSORED_EVERY`), so the slots people scrolled past are
about one in five of the home impressions.
"""

from django.db.models import Sum

from ads.models import Campaign
from analytics.models import DailyCampaignStats
from analytics.periods import Period
from analytics.reports import Figure, Report
from analytics.rollups import DAILY
from analytics.selectors import MICROS, currency_unit, totals_by_start
from analytics.tables import TEXT, WHEN, Column, Table
from feeds.snapshot import SPONSORED_EVERY
from flywheel.chart_scales import COUNT, PERCENT


def _ratio(numerator, denominator):
    return numerator / denominator if denominator else None


def _slots(totals) -> tuple[float, bool]:
    """A period's sponsored slots on the home feed, and whether that is an estimate. Slots
    are counted only while some campaign can serve: no slots and no ads is a period without
    inventory (nothing to fill), while ads without slots come from before slots were
    counted, so those slots are estimated."""
    if totals.home_ad_slots:
        return totals.home_ad_slots, False
    if totals.home_ad_impressions:
        return totals.home_impressions / (SPONSORED_EVERY - 1), True
    return 0, False


def fill_rate(periods) -> tuple[float | None, bool]:
    """Ads shown over sponsored slots in these periods' totals, and whether any period's
    slots had to be estimated."""
    slots = [_slots(totals) for totals in periods]
    served = sum(count for count, _ in slots)
    ads = sum(totals.home_ad_impressions for totals in periods)
    estimated = any(guess and count for count, guess in slots)
    return (min(1.0, ads / served) if served else None), estimated


def _campaigns(ids):
    return {c.pk: c for c in Campaign.objects.filter(pk__in=ids).select_related("advertiser")}


def _figures(spend: int, impressions: int, clicks: int) -> dict:
    return {
        "impressions": impressions,
        "clicks": clicks,
        "ctr": _ratio(clicks, impressions),
        "spend": spend / MICROS,
        "ecpm": _ratio(spend / MICROS * 1000, impressions),
        "cpc": _ratio(spend / MICROS, clicks),
    }


def ads_report(period: Period) -> Report:
    money = currency_unit()
    stats = (
        DailyCampaignStats.objects.filter(period_start__gte=period.since)
        .values("campaign_id", "advertiser_id")
        .annotate(impressions=Sum("impressions"), clicks=Sum("clicks"), spend=Sum("spend_micros"))
        .order_by("campaign_id")
    )
    stats = list(stats)
    today_start = DAILY.floor(period.now)
    spent_today = dict(
        DailyCampaignStats.objects.filter(period_start=today_start).values_list(
            "campaign_id", "spend_micros"
        )
    )
    campaigns = _campaigns([row["campaign_id"] for row in stats])
    campaign_rows, by_advertiser = [], {}
    for row in stats:
        campaign = campaigns.get(row["campaign_id"])
        advertiser = campaign.advertiser if campaign else None
        figures = _figures(int(row["spend"] or 0), row["impressions"], row["clicks"])
        campaign_rows.append(
            {
                "campaign": campaign.name if campaign else f"campaign {row['campaign_id']}",
                "advertiser": advertiser.name if advertiser else "\u2013",
                "state": campaign.get_state_display() if campaign else "deleted",
                **figures,
                "budget_use": _ratio(campaign.spent_micros, campaign.total_budget_micros)
                if campaign
                else None,
                "daily_budget_use": _ratio(
                    spent_today.get(row["campaign_id"], 0), campaign.daily_budget_micros
                )
                if campaign
                else None,
            }
        )
        key = advertiser.name if advertiser else "\u2013"
        total = by_advertiser.setdefault(
            key, {"spend": 0, "impressions": 0, "clicks": 0, "campaigns": 0, "budget": 0,
                  "spent": 0}
        )  # fmt: skip
        total["spend"] += int(row["spend"] or 0)
        total["impressions"] += row["impressions"]
        total["clicks"] += row["clicks"]
        total["campaigns"] += 1
        if campaign:
            total["budget"] += campaign.total_budget_micros
            total["spent"] += campaign.spent_micros
    campaign_rows.sort(key=lambda r: -r["spend"])
    advertiser_rows = sorted(
        (
            {"advertiser": name, "campaigns": t["campaigns"],
             **_figures(t["spend"], t["impressions"], t["clicks"]),
             "budget_use": _ratio(t["spent"], t["budget"])}
            for name, t in by_advertiser.items()
        ),
        key=lambda r: -r["spend"],
    )  # fmt: skip
    totals = totals_by_start(period.grain, period.since, period.now)
    day_rows = []
    for start in period.starts:
        row = totals.get(start)
        fill, estimated = fill_rate([row]) if row else (None, False)
        day_rows.append(
            {
                "period_start": start,
                "revenue": row.revenue_micros / MICROS if row else None,
                "ad_impressions": row.home_ad_impressions if row else None,
                "fill_rate": fill,
                "fill_basis": "" if fill is None else "estimated" if estimated else "counted",
            }
        )
    served = [r for r in day_rows if r["revenue"] is not None]
    revenue = sum(r["revenue"] for r in served)
    everything = _figures(
        sum(int(r["spend"] or 0) for r in stats),
        sum(r["impressions"] for r in stats),
        sum(r["clicks"] for r in stats),
    )
    fill, estimated = fill_rate(totals.values())
    report = Report("ads", "Ads", period)
    report.figures = [
        Figure("Revenue", revenue, money),
        Figure("eCPM", everything["ecpm"], money, "revenue per thousand ad impressions"),
        Figure("Click-through rate", everything["ctr"], PERCENT),
        Figure(
            "Fill rate", fill, PERCENT, "estimated" if estimated else "of sponsored slots served"
        ),
        Figure("Ad impressions", everything["impressions"]),
        Figure("Campaigns that served", len(campaign_rows)),
    ]
    price_columns = [
        Column("impressions", "Impressions"),
        Column("clicks", "Clicks"),
        Column("ctr", "CTR", PERCENT),
        Column("spend", "Spend", money),
        Column("ecpm", "eCPM", money),
        Column("cpc", "Cost per click", money),
    ]
    report.tables = [
        Table(
            "by-day",
            "Revenue and delivery by day",
            [
                Column("period_start", "Day", WHEN),
                Column("revenue", "Revenue", money),
                Column("ad_impressions", "Ads in home feeds", COUNT),
                Column("fill_rate", "Fill rate", PERCENT),
                Column("fill_basis", "Slots", TEXT),
            ],
            day_rows,
            note="Fill rate: ads shown over the sponsored slots the home feed served; for days "
            "before the feed counted its slots, over the slots people scrolled past (one after "
            f"every {SPONSORED_EVERY - 1} posts), an estimate.",
        ),
        Table(
            "by-campaign",
            "By campaign",
            [
                Column("campaign", "Campaign", TEXT),
                Column("advertiser", "Advertiser", TEXT),
                Column("state", "State", TEXT),
                *price_columns,
                Column("budget_use", "Total budget used", PERCENT),
                Column("daily_budget_use", "Daily budget used today", PERCENT),
            ],
            campaign_rows,
        ),
        Table(
            "by-advertiser",
            "By advertiser",
            [
                Column("advertiser", "Advertiser", TEXT),
                Column("campaigns", "Campaigns"),
                *price_columns,
                Column("budget_use", "Total budget used", PERCENT),
            ],
            advertiser_rows,
        ),
    ]
    return report
