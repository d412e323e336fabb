"""A sponsored post in the home feed, in Chromium: labelled, explained, clickable (the click
is recorded and charged, then the link opens) and hideable in place."""

from playwright.sync_api import expect

from ads.models import LedgerEntry
from events.models import Event, EventKind

SHOTS = "test-results/screenshots"


def test_a_sponsored_post_is_labelled_explained_and_hideable(page, sign_in, feed_with_an_ad):
    viewer, campaign = feed_with_an_ad
    sign_in(viewer)
    page.goto("/")
    ad = page.locator("article.sponsored")
    expect(ad).to_have_count(1)
    expect(ad.get_by_text("Sponsored", exact=True)).to_be_visible()
    expect(ad.get_by_text("Roasted this week")).to_be_visible()
    ad.get_by_text("Why this ad?").click()
    expect(ad.get_by_text("you said you are interested in #coffee")).to_be_visible()
    ad.scroll_into_view_if_needed()
    page.screenshot(path=f"{SHOTS}/ads-sponsored-card.png")
    ad.get_by_role("button", name="Hide ads from Northwind Coffee").click()
    notice = page.get_by_text("You will not see ads from Northwind Coffee again.")
    expect(notice).to_be_visible()
    assert viewer.hidden_advertisers.filter(advertiser=campaign.advertiser).exists()
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_text("you may see this advertiser's ads again")).to_be_visible()
    assert not viewer.hidden_advertisers.exists()


def test_clicking_the_ad_records_charges_and_opens_the_link(
    page, sign_in, feed_with_an_ad, base_url
):
    viewer, campaign = feed_with_an_ad
    sign_in(viewer)
    page.goto("/")
    page.locator("article.sponsored .sponsored__body").click()
    page.wait_for_url(f"{base_url}/explore/")
    assert Event.objects.filter(
        kind=EventKind.AD_CLICK, user=viewer, campaign_id=campaign.pk
    ).exists()
    [charge] = LedgerEntry.objects.filter(campaign=campaign, kind="click")
    assert 0 < charge.amount_micros <= campaign.bid_micros
