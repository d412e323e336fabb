"""The advertiser console in Chromium: becoming an advertiser, a campaign with a mistake and
its fix, an ad, review, pause and resume in place, and the report's charts."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ads import services
from ads.models import Campaign, CampaignDay
from tests.browser.ads_helpers import coffee_campaign
from tests.factories import UserFactory

SHOTS = "test-results/screenshots"


def test_an_advertiser_launches_a_campaign(page, sign_in, user, base_url, request):
    sign_in(user)
    page.goto("/ads/")
    expect(page.get_by_role("heading", name="Advertise on Flywheel")).to_be_visible()
    page.get_by_label("Advertiser name").fill("Ana's Records")
    page.get_by_label("Billing e-mail").fill("ana@example.com")
    page.get_by_role("button", name="Become an advertiser").click()

    expect(page.get_by_role("heading", name="New campaign")).to_be_visible()
    page.get_by_label("Name").fill("Vinyl week")
    page.get_by_label("Per click (CPC)").check()
    page.get_by_label("Bid").fill("0")
    page.get_by_label("Daily budget").fill("20")
    page.get_by_label("Total budget").fill("100")
    today = timezone.localdate()
    page.get_by_label("Starts on").fill(today.isoformat())
    page.get_by_label("Ends on").fill((today + timedelta(days=14)).isoformat())
    page.get_by_label("Interests and topics").fill("#jazz #vinyl")
    page.get_by_label("25-34").check()
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("The bid must be more than zero.")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/ads-campaign-form-error.png", full_page=True)
    page.get_by_label("Bid").fill("0.40")
    page.get_by_role("button", name="Save as draft").click()

    expect(page.get_by_role("heading", name="New ad")).to_be_visible()
    page.get_by_label("Headline").fill("Records for jazz lovers")
    page.get_by_label("Text").fill("First pressings, fair prices, shipped in a day.")
    page.get_by_label("Link").fill("https://example.com/vinyl")
    page.get_by_role("button", name="Save ad").click()

    expect(page.get_by_text("Waiting for review")).to_be_visible()
    page.evaluate("window.__stayed = true")
    page.get_by_role("button", name="Send for review").click()
    expect(page.locator(".ads-state--review")).to_be_visible()
    assert page.evaluate("window.__stayed") is True  # swapped in place by htmx
    campaign = Campaign.objects.get(name="Vinyl week")
    assert campaign.state == "review" and campaign.bid_micros == 400_000

    staff = UserFactory(username="reviewer", is_staff=True)
    services.creative_review(creative=campaign.creatives.get(), reviewer=staff, approve=True)
    page.reload()
    expect(page.locator(".ads-state--active")).to_be_visible()
    page.get_by_role("button", name="Pause").click()
    expect(page.locator(".ads-state--paused")).to_be_visible()
    page.get_by_role("button", name="Resume").click()
    expect(page.locator(".ads-state--active")).to_be_visible()
    assert Campaign.objects.get(pk=campaign.pk).state == "active"


@pytest.fixture
def running_campaign(db):
    today = timezone.localdate()
    campaign = coffee_campaign(
        "Northwind",
        name="Autumn coffee",
        bid_micros=600_000,
        daily_budget_micros=30_000_000,
        total_budget_micros=300_000_000,
        ends_on=today + timedelta(days=20),
    )
    Campaign.objects.filter(pk=campaign.pk).update(starts_on=today - timedelta(days=9))
    spent = 0
    for n in range(10):
        day_spend = (n % 4 + 1) * 2_400_000
        spent += day_spend
        CampaignDay.objects.create(
            campaign=campaign,
            day=today - timedelta(days=9 - n),
            impressions=800 + 130 * n,
            clicks=(n % 4 + 1) * 4,
            spent_micros=day_spend,
        )
    Campaign.objects.filter(pk=campaign.pk).update(spent_micros=spent)
    return campaign


def test_the_report_reads_as_a_table_and_charts(page, sign_in, running_campaign):
    sign_in(running_campaign.advertiser.user)
    page.goto(f"/ads/campaigns/{running_campaign.pk}/")
    expect(page.get_by_role("heading", name="Report")).to_be_visible()
    charts = page.locator(".ads-chart svg")
    expect(charts).to_have_count(4)
    expect(page.locator("#report-table tbody tr")).to_have_count(10)
    page.screenshot(path=f"{SHOTS}/ads-campaign-report.png", full_page=True)
    today = timezone.localdate()
    page.get_by_role("textbox", name="From").fill((today - timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#report-table tbody tr")).to_have_count(3)
    page.goto("/ads/")
    expect(page.get_by_role("link", name="Autumn coffee")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/ads-console.png", full_page=True)
