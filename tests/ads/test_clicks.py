"""A click is a signed link naming the impression: the first click records it, charges a
per-click campaign once, and redirects to the ad's link. No login is needed."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.urls import reverse

from ads.clicks import click_token
from ads.models import LedgerEntry
from events.models import Event, EventKind
from tests.ads.helpers import launched, live, serve
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(db):
    return UserFactory(username="vera")


def clicks():
    return Event.objects.filter(kind=EventKind.AD_CLICK)


def test_a_click_records_charges_and_redirects(client, brand, rival, viewer):
    campaign = launched(brand, topics=[], bid_micros=800_000)
    launched(rival, topics=[], bid_micros=300_000)
    live()
    ad = next(ad for ad in serve(viewer, slots=(5,)) if ad.campaign_id == campaign.pk)
    response = client.get(reverse("ads:click", args=[ad.click_token]))  # nobody signed in
    assert response.status_code == 302 and response["Location"] == "https://example.com/vinyl"
    [event] = clicks()
    assert (event.user, event.campaign_id) == (viewer, campaign.pk)
    [entry] = LedgerEntry.objects.all()
    # Second price: the rival's $0.30 eCPM-equivalent at the same predicted rate.
    assert entry.kind == "click" and entry.amount_micros == 300_000 and entry.person == viewer
    campaign.refresh_from_db()
    assert campaign.spent_micros == 300_000 and campaign.days.get().clicks == 1


def test_repeated_clicks_on_one_impression_count_once(client, brand, viewer, settings):
    launched(brand, topics=[])
    live()
    [ad] = serve(viewer)
    url = reverse("ads:click", args=[ad.click_token])
    for _ in range(3):
        assert client.get(url).status_code == 302
    assert clicks().count() == 1
    assert LedgerEntry.objects.count() == 1
    settings.ADS_CLICK_DEDUPE_SECONDS = 0  # the per-person window has passed: still once
    client.get(url)
    assert LedgerEntry.objects.count() == 1


def test_another_impression_is_charged_after_the_window(client, brand, viewer, settings):
    launched(brand, topics=[], frequency_cap=5)
    live()
    [first], [second] = serve(viewer), serve(viewer)
    client.get(reverse("ads:click", args=[first.click_token]))
    client.get(reverse("ads:click", args=[second.click_token]))
    assert LedgerEntry.objects.count() == 1  # one person, one campaign, within the window
    settings.ADS_CLICK_DEDUPE_SECONDS = 0
    [third] = serve(viewer)
    client.get(reverse("ads:click", args=[third.click_token]))
    assert LedgerEntry.objects.count() == 2


def test_a_cpm_campaigns_clicks_are_counted_not_charged(client, brand, viewer):
    campaign = launched(brand, topics=[], bid_type="cpm", bid_micros=2_000_000)
    live()
    [ad] = serve(viewer)
    client.get(reverse("ads:click", args=[ad.click_token]))
    assert set(LedgerEntry.objects.values_list("kind", flat=True)) == {"impression"}
    assert campaign.days.get().clicks == 1


def test_a_token_client_gets_a_link_that_works_anywhere(brand, viewer, api_client):
    launched(brand, topics=[])
    live()
    [ad] = serve(viewer)
    response = api_client.get(reverse("ads:click", args=[ad.click_token]))
    assert response.status_code == 302 and clicks().get().user == viewer


def test_links_we_did_not_sign_are_refused(client, brand, viewer):
    launched(brand, topics=[])
    live()
    [ad] = serve(viewer)
    forged = ad.click_token[:-3] + ("abc" if not ad.click_token.endswith("abc") else "xyz")
    assert client.get(reverse("ads:click", args=[forged])).status_code == 404
    assert client.get(reverse("ads:click", args=["nonsense"])).status_code == 404
    other = click_token(event_id=ad.event_id + 1000, person_id=viewer.pk)
    assert client.get(reverse("ads:click", args=[other])).status_code == 404  # no such ad
    someone_else = click_token(event_id=ad.event_id, person_id=viewer.pk + 1)
    assert client.get(reverse("ads:click", args=[someone_else])).status_code == 404
    assert not clicks().exists() and not LedgerEntry.objects.exists()


def test_an_old_link_still_leads_to_the_ad_but_is_not_charged(client, brand, viewer, settings):
    launched(brand, topics=[])
    live()
    [ad] = serve(viewer)
    settings.ADS_CLICK_TOKEN_MAX_AGE = -1
    response = client.get(reverse("ads:click", args=[ad.click_token]))
    assert response.status_code == 302 and response["Location"] == "https://example.com/vinyl"
    assert not clicks().exists() and not LedgerEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_clicks_by_one_person_is_charged_once(brand, viewer):
    """Twenty simultaneous clicks on one ad by one person: one claims the impression, the
    others only follow the link."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    from django.test import Client

    launched(brand, topics=[])
    live()
    [ad] = serve(viewer)
    url = reverse("ads:click", args=[ad.click_token])

    def click(_):
        try:
            return Client().get(url).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20) as pool:
        assert set(pool.map(click, range(20))) == {302}
    assert clicks().count() == 1
    assert LedgerEntry.objects.filter(kind="click").count() == 1
