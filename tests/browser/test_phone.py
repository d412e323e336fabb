"""Flywheel on a phone (390 x 844): every navigation item in reach without sideways scrolling,
and the pages people and staff open fit the width. Screenshots of each page go to
test-results/screenshots/phone-*.png to be looked at."""

import pytest
from playwright.sync_api import expect

from feeds.models import FeedArm
from social import services as social
from tests.analytics.loop_world import build_loop
from tests.factories import UserFactory
from tests.social.factories import GroupFactory

PHONE = {"width": 390, "height": 844}
NAV = ["Home", "Explore", "Groups", "Search", "Notifications", "Settings"]


@pytest.fixture
def phone(browser, base_url, sign_in):
    context = browser.new_context(
        base_url=base_url, viewport=PHONE, is_mobile=True, has_touch=True, locale="en-US"
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def shots(request):
    folder = request.config.rootpath / "test-results" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def fits_the_width(page) -> None:
    """Nothing wider than the screen: the page cannot be scrolled sideways."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def test_every_navigation_item_is_in_reach_on_a_phone(phone, sign_in, shots):
    FeedArm.objects.update(weight=0)
    FeedArm.objects.update_or_create(
        name="chronological", defaults={"strategy": FeedArm.Strategy.CHRONOLOGICAL, "weight": 1}
    )
    reader = UserFactory(username="pia", interests=["coffee"])
    writer = UserFactory(username="wren")
    social.follow_create(follower=reader, followee=writer)
    for n in range(8):
        social.post_create(author=writer, text=f"A long morning note number {n} #coffee " * 3)
    group = GroupFactory(name="Coffee lovers", description="All about #coffee and beans")
    sign_in(reader, into=phone)
    page = phone.new_page()

    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    for name in NAV:
        link = nav.get_by_role("link", name=name)
        expect(link).to_be_in_viewport()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], name
        assert box["y"] + box["height"] <= PHONE["height"], name  # no scrolling to reach it
    expect(page.get_by_label("What is happening?")).to_be_visible()
    fits_the_width(page)
    page.screenshot(path=str(shots / "phone-home.png"))

    nav.get_by_role("link", name="Notifications").click()
    expect(page).to_have_url(f"{page.url.split('/notifications')[0]}/notifications/")
    for path, name in [
        ("/following/", "following"),
        ("/explore/", "explore"),
        (f"/groups/{group.slug}/", "group"),
        ("/search/?q=coffee", "search"),
        ("/accounts/settings/", "settings"),
        (f"/@{writer.username}", "profile"),
    ]:
        page.goto(path)
        fits_the_width(page)
        page.screenshot(path=str(shots / f"phone-{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_staff_pages_fit_a_phone(phone, sign_in, shots):
    build_loop(days=3, people=12)
    sign_in(UserFactory(username="observer", is_staff=True), into=phone)
    page = phone.new_page()
    for name in ["analytics", "flywheel", "analytics/engagement", "analytics/experiments"]:
        page.goto(f"/staff/{name}/")
        fits_the_width(page)
        nav = page.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name="Settings")).to_be_in_viewport()
        page.screenshot(
            path=str(shots / f"phone-staff-{name.replace('/', '-')}.png"), full_page=True
        )


def test_a_sponsored_card_fits_a_phone(phone, sign_in, feed_with_an_ad, shots):
    viewer, _ = feed_with_an_ad
    sign_in(viewer, into=phone)
    page = phone.new_page()
    page.goto("/")
    ad = page.locator("article.sponsored")
    expect(ad).to_have_count(1)
    ad.scroll_into_view_if_needed()
    box = ad.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    fits_the_width(page)
    page.screenshot(path=str(shots / "phone-sponsored.png"))
