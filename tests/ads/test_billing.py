"""Money: a charge moves budget into the ledger or nothing moves; never past the daily or the
total budget, under concurrency too (PostgreSQL, real threads and connections)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ads import billing
from ads.models import Campaign, CampaignDay, LedgerEntry
from ads.selectors import ledger_total
from social import services as social
from tests.ads.helpers import launched, live, serve
from tests.factories import CampaignFactory, UserFactory

Kind = LedgerEntry.Kind


def charge(campaign, amount, kind=Kind.IMPRESSION, person=None, **kwargs):
    return billing.charge(
        campaign_id=campaign.pk, kind=kind, amount_micros=amount, person_id=person, **kwargs
    )


@pytest.mark.django_db
def test_a_charge_moves_spend_day_and_ledger_together():
    campaign = CampaignFactory(bid_micros=1_000_000, daily_budget_micros=3_000_000)
    entry = charge(campaign, 1_000_000, kind=Kind.CLICK)
    campaign.refresh_from_db()
    day = CampaignDay.objects.get(campaign=campaign)
    assert entry.amount_micros == 1_000_000 and entry.kind == "click"
    assert campaign.spent_micros == day.spent_micros == ledger_total(campaign.pk) == 1_000_000
    assert (day.clicks, day.impressions) == (1, 0)


@pytest.mark.django_db
def test_the_daily_budget_stops_charges_and_rolls_the_total_back():
    campaign = CampaignFactory(bid_micros=1_000_000, daily_budget_micros=2_500_000)
    assert charge(campaign, 1_000_000) and charge(campaign, 1_000_000)
    assert charge(campaign, 1_000_000) is None  # 3.0 > 2.5 today
    campaign.refresh_from_db()
    assert campaign.spent_micros == 2_000_000 == ledger_total(campaign.pk)
    assert charge(campaign, 500_000) is not None  # exactly to the cent
    assert CampaignDay.objects.get(campaign=campaign).spent_micros == 2_500_000


@pytest.mark.django_db
def test_the_total_budget_stops_charges():
    campaign = CampaignFactory(
        bid_micros=1_000_000, daily_budget_micros=2_000_000, total_budget_micros=2_000_000
    )
    Campaign.objects.filter(pk=campaign.pk).update(spent_micros=1_500_000)
    assert charge(campaign, 1_000_000) is None
    assert charge(campaign, 500_000) is not None
    assert charge(campaign, 1) is None


@pytest.mark.django_db
def test_impressions_charge_only_live_campaigns_clicks_also_paused_ones():
    campaign = CampaignFactory(state=Campaign.State.PAUSED)
    assert charge(campaign, 1_000) is None
    assert charge(campaign, 100_000, kind=Kind.CLICK, require_active=False) is not None


@pytest.mark.django_db
def test_uncharged_counts_need_no_budget():
    campaign = CampaignFactory()
    billing.count_on_day(campaign.pk, impressions=1)
    billing.count_on_day(campaign.pk, impressions=1, clicks=1)
    day = CampaignDay.objects.get(campaign=campaign)
    assert (day.impressions, day.clicks, day.spent_micros) == (2, 1, 0)


@pytest.mark.django_db
def test_a_pages_uncharged_impressions_are_counted_in_one_statement():
    """A page's CPC impressions: each campaign's day counted, a day made where there was
    none, a campaign named twice counted twice."""
    counted, fresh = CampaignFactory(), CampaignFactory()
    billing.count_on_day(counted.pk, impressions=3)
    with CaptureQueriesContext(connection) as statements:
        billing.count_impressions([fresh.pk, counted.pk, fresh.pk], now=timezone.now())
    assert len(statements.captured_queries) == 1
    days = dict(CampaignDay.objects.values_list("campaign_id", "impressions"))
    assert days == {counted.pk: 4, fresh.pk: 2}
    billing.count_impressions([], now=timezone.now())  # nothing to count: no statement


OPERATIONS = 240
THREADS = 30  # each holds a connection; PostgreSQL allows 100 for everyone on this machine


def already_spent(campaign, micros: int, *, days_ago: int) -> None:
    """History: the campaign spent this much on that day, booked the way billing books it."""
    moment = timezone.now() - timedelta(days=days_ago)
    LedgerEntry.objects.create(
        campaign=campaign, kind=Kind.CLICK, amount_micros=micros, created_at=moment
    )
    CampaignDay.objects.create(
        campaign=campaign, day=timezone.localdate(moment), spent_micros=micros, clicks=1
    )
    Campaign.objects.filter(pk=campaign.pk).update(spent_micros=micros)


@pytest.mark.django_db(transaction=True)
def test_concurrent_auctions_and_clicks_never_overspend_a_cent():
    """240 charges from 30 threads race for budgets that hold a fraction of them: the daily
    budget of one campaign (impressions), the total budget of another (clicks). Overspend is
    exactly 0 and every ledger sums to the recorded spend."""
    if connection.vendor != "postgresql":
        pytest.skip("the concurrency test needs PostgreSQL")
    by_day = CampaignFactory(
        bid_type="cpm",
        bid_micros=3_000_000,
        daily_budget_micros=3_000_000,
        total_budget_micros=10**9,
    )  # $3 per thousand: 3,000 micros an impression
    already_spent(by_day, 2_900_997, days_ago=0)  # today holds 33 more, and 1,003 micros
    by_total = CampaignFactory(
        bid_micros=700_000, daily_budget_micros=50_000_000, total_budget_micros=50_000_000
    )
    already_spent(by_total, 41_000_000, days_ago=1)  # $9 left in total: 12 clicks of $0.70

    def operate(n: int) -> bool:
        try:
            if n % 2:
                return charge(by_day, 3_000) is not None
            return charge(by_total, 700_000, kind=Kind.CLICK, require_active=False) is not None
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        charged = sum(pool.map(operate, range(OPERATIONS)))

    assert charged == 33 + 12
    for campaign in (by_day, by_total):
        campaign.refresh_from_db()
        days = CampaignDay.objects.filter(campaign=campaign).aggregate(s=Sum("spent_micros"))["s"]
        assert campaign.spent_micros == ledger_total(campaign.pk) == days
    today = CampaignDay.objects.get(campaign=by_day, day=timezone.localdate())
    assert today.spent_micros == 2_900_997 + 33 * 3_000  # of 3,000,000 a day: overspend 0
    assert by_total.spent_micros == 41_000_000 + 12 * 700_000  # of 50,000,000: overspend 0
    assert by_total.total_budget_micros - by_total.spent_micros < 700_000


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("chess_bid", [("cpc", 500_000), ("cpm", 15_000_000)])
def test_pages_filling_slots_in_opposite_orders_never_deadlock(brand, rival, chess_bid):
    """Jazz fans see Northwind's ad first and Rival's second; chess fans the other way round.
    Pages of both kinds served at once count (CPC) or charge (CPM) impressions on the same two
    campaigns, each page in one transaction, in opposite slot orders: every page is still
    served whole, without a database error, and every impression is counted once and charged
    once."""
    if connection.vendor != "postgresql":
        pytest.skip("the concurrency test needs PostgreSQL")
    jazz = launched(brand, topics=["jazz"], bid_type="cpc", bid_micros=500_000, frequency_cap=20)
    # Per click, or per thousand impressions (each charged): $15 a thousand sits between the
    # jazz ad's expected value to jazz fans and to chess fans, so the orders still differ.
    bid_type, bid_micros = chess_bid
    chess = launched(
        rival,
        topics=["chess"],
        bid_type=bid_type,
        bid_micros=bid_micros,
        frequency_cap=20,
        daily_budget_micros=200_000_000,  # pacing lets it serve every page even at midnight
        total_budget_micros=1_000_000_000,
    )
    page = [social.post_create(author=UserFactory(), text="Tonight: #jazz and #chess")]
    fans = [UserFactory(interests=["jazz" if n % 2 else "chess"]) for n in range(THREADS)]
    live()
    first = {fan.pk: serve(fan, slots=(4, 9), context=page)[0].campaign_id for fan in fans[:2]}
    assert set(first.values()) == {jazz.pk, chess.pk}  # the two orders really differ

    def pages_of(fan) -> int:
        try:
            return sum(len(serve(fan, slots=(4, 9), context=page)) for _ in range(8))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        served = list(pool.map(pages_of, fans))

    assert served == [16] * THREADS
    for campaign in (jazz, chess):
        day = CampaignDay.objects.get(campaign=campaign, day=timezone.localdate())
        assert day.impressions == THREADS * 8 + 2
        campaign.refresh_from_db()
        assert campaign.spent_micros == ledger_total(campaign.pk) == day.spent_micros
        charges = LedgerEntry.objects.filter(campaign=campaign).count()
        assert charges == (day.impressions if campaign.bid_type == "cpm" else 0)
