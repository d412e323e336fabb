"""Finding 2 (and 11): click tokens were not bound to an impression: they could be replayed
(a charge per replay once the per-person window passed), redirected to a link changed after
review, charged for an ad sent back to review, carried their own price, and every hit locked
the campaign's row. Finding 3 made forging them easy (the public development key)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.core import signing
from django.db import transaction

from ads import services
from ads.clicks import CLICK_SALT
from ads.models import Campaign, LedgerEntry
from events.models import Event, EventKind
from tests.ads.conftest import _fresh_ads_state  # noqa: F401 (autouse)
from tests.ads.helpers import launched, live, serve
from tests.factories import AdvertiserFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def viewer(db):
    return UserFactory(username="vera")


@pytest.fixture
def campaign(db):
    brand = AdvertiserFactory(user=UserFactory(username="nora"), name="Northwind")
    campaign = launched(brand, topics=[], bid_micros=800_000)
    live()
    return campaign


def _click(base_url, ad_or_token) -> requests.Response:
    token = getattr(ad_or_token, "click_token", ad_or_token)
    return requests.get(f"{base_url}/ads/click/{token}/", allow_redirects=False, timeout=30)


def _charged():
    return list(LedgerEntry.objects.filter(kind="click").values_list("amount_micros", flat=True))


def test_a_replayed_click_is_charged_once_even_after_the_window(
    live_server, campaign, viewer, settings
):
    settings.ADS_CLICK_DEDUPE_SECONDS = 0  # the per-person window is over at once
    [ad] = serve(viewer)
    codes = [_click(live_server.url, ad).status_code for _ in range(5)]
    assert codes == [302] * 5
    assert len(_charged()) == 1
    assert Event.objects.filter(kind=EventKind.AD_CLICK).count() == 1


def test_the_price_is_the_servers_never_the_links(live_server, campaign, viewer):
    [ad] = serve(viewer)
    # Even with the signing key (finding 3), a price or an ad in the link is ignored.
    tampered = signing.dumps(
        {"e": ad.event_id, "u": viewer.pk, "p": 10**9, "c": campaign.pk, "r": 1},
        salt=CLICK_SALT,
        compress=True,
    )
    assert _click(live_server.url, tampered).status_code == 302
    [price] = _charged()
    assert 0 < price <= campaign.bid_micros
    # A link of the old form (price inside) is not ours any more.
    old = signing.dumps(
        {"e": ad.event_id, "u": viewer.pk, "c": campaign.pk, "r": 1, "p": 10**9},
        salt="ads.click",
        compress=True,
    )
    assert _click(live_server.url, old).status_code == 404
    assert len(_charged()) == 1


def test_a_link_changed_after_review_is_never_followed_nor_charged(live_server, campaign, viewer):
    [ad] = serve(viewer)
    creative = campaign.creatives.get()
    services.creative_update(creative=creative, link="https://evil.example/phish")
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.REVIEW
    answer = _click(live_server.url, ad)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "https://example.com/vinyl"  # approved at serve time
    assert _charged() == []


def test_a_paused_campaign_is_not_charged_for_earlier_impressions(live_server, campaign, viewer):
    [ad] = serve(viewer)
    services.campaign_pause(campaign=campaign)
    assert _click(live_server.url, ad).status_code == 302
    assert _charged() == []


def test_someone_elses_or_an_unknown_impression_is_refused(live_server, campaign, viewer):
    [ad] = serve(viewer)
    for payload in (
        {"e": ad.event_id, "u": viewer.pk + 1},
        {"e": ad.event_id + 99, "u": viewer.pk},
    ):
        forged = signing.dumps(payload, salt=CLICK_SALT, compress=True)
        assert _click(live_server.url, forged).status_code == 404
    assert _charged() == []


def test_clicks_are_throttled_per_person_under_concurrency(live_server, campaign, viewer, settings):
    settings.ACTION_RATE_LIMITS = {**settings.ACTION_RATE_LIMITS, "ad_click": "3/min"}
    [ad] = serve(viewer)
    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = list(pool.map(lambda _: _click(live_server.url, ad).status_code, range(10)))
    assert sorted(codes) == [302] * 3 + [429] * 7
    assert len(_charged()) == 1


def test_cheap_checks_pass_before_any_campaign_row_is_locked(live_server, campaign, viewer):
    """While another transaction holds the campaign's row, a repeated click and a bad link
    answer at once: nothing waits for the row that only a charge needs."""
    [ad] = serve(viewer)
    assert _click(live_server.url, ad).status_code == 302  # the one charged click
    held, release = threading.Event(), threading.Event()

    def hold_the_row():
        from django.db import connections

        with transaction.atomic():
            list(Campaign.objects.select_for_update().filter(pk=campaign.pk))
            held.set()
            release.wait(20)
        connections.close_all()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert held.wait(10)
        started = time.monotonic()
        assert _click(live_server.url, ad).status_code == 302
        assert _click(live_server.url, "not-a-signed-link").status_code == 404
        assert time.monotonic() - started < 5
    finally:
        release.set()
        holder.join()
