"""Platform revenue per day from the ledger, and the periodic housekeeping."""

from datetime import datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from ads import tasks
from ads.index import VERSION_KEY
from ads.models import Campaign, LedgerEntry
from ads.selectors import revenue_by_day
from tests.ads.helpers import launched
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def booked(campaign, micros, day, hour=12):
    moment = datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())
    LedgerEntry.objects.create(
        campaign=campaign, kind="impression", amount_micros=micros, created_at=moment
    )


def test_revenue_per_day_counts_every_charge_and_every_day():
    today = timezone.localdate()
    first, second = CampaignFactory(), CampaignFactory()
    booked(first, 1_500_000, today)
    booked(second, 250_000, today, hour=0)
    booked(first, 4_000, today - timedelta(days=2), hour=23)
    booked(first, 9_999, today - timedelta(days=5))  # before the range
    assert revenue_by_day(today - timedelta(days=3), today) == [
        (today - timedelta(days=3), 0),
        (today - timedelta(days=2), 4_000),
        (today - timedelta(days=1), 0),
        (today, 1_750_000),
    ]
    assert revenue_by_day(today, today - timedelta(days=1)) == []


def test_housekeeping_finishes_ended_campaigns_and_keeps_the_index_known(brand):
    today = timezone.localdate()
    ended = launched(brand, name="Ended")
    Campaign.objects.filter(pk=ended.pk).update(
        starts_on=today - timedelta(days=3), ends_on=today - timedelta(days=1)
    )
    launched(brand, name="Running")
    cache.delete(VERSION_KEY)
    assert tasks.housekeeping() == 1
    assert cache.get(VERSION_KEY) is not None  # the index is known again
    assert Campaign.objects.get(name="Ended").state == "finished"


def test_an_advertiser_can_delete_their_account_and_the_revenue_stays(brand):
    from accounts.privacy import account_delete
    from tests.factories import DEFAULT_PASSWORD

    campaign = launched(brand)
    today = timezone.localdate()
    booked(campaign, 700_000, today)
    account_delete(user=brand.user, password=DEFAULT_PASSWORD)
    assert not Campaign.objects.filter(pk=campaign.pk).exists()
    assert revenue_by_day(today, today) == [(today, 700_000)]
    assert LedgerEntry.objects.get().campaign is None
