"""Live search: results appear while typing, without pressing Enter."""

import re

import pytest
from playwright.sync_api import expect

from social import services
from social.models import Group
from tests.factories import UserFactory
from tests.social.factories import GroupFactory, PostFactory


@pytest.fixture
def jazz_world(other_user):
    fan = UserFactory(username="jazzfan", display_name="Jazz Fan")
    services.post_create(author=other_user, text="Saturday night #jazz at the harbour")
    services.post_create(author=fan, text="Coltrane's Giant Steps, on repeat #jazz")
    services.post_create(author=fan, text="Bread again")
    GroupFactory(name="Jazz Lovers", slug="jazz-lovers")
    GroupFactory(name="Secret Jazz Society", slug="secret-jazz", privacy=Group.Privacy.PRIVATE)
    return fan


def test_typing_shows_people_posts_hashtags_and_groups(page, sign_in, user, jazz_world, base_url):
    sign_in(user)
    page.goto("/search/")
    page.evaluate("window.__stayed = true")
    box = page.get_by_role("searchbox", name="Search posts, people, hashtags and groups")
    expect(box).to_be_focused()
    expect(page.get_by_text("Find posts, people, #hashtags and groups.")).to_be_visible()

    box.press_sequentially("jazz", delay=40)  # typing; Enter is never pressed

    results = page.locator("#search-results")
    people = results.get_by_role("region", name="People")
    expect(people.get_by_text("Jazz Fan", exact=True)).to_be_visible()
    expect(people.get_by_text("@jazzfan", exact=True)).to_be_visible()
    expect(people.get_by_role("button", name="Follow @jazzfan")).to_be_visible()
    expect(results.get_by_role("region", name="Hashtags").get_by_role("link")).to_have_text(
        ["#jazz"]
    )
    groups = results.get_by_role("region", name="Groups")
    expect(groups.get_by_role("link", name="Jazz Lovers")).to_be_visible()
    posts = results.get_by_role("region", name="Posts").locator("article.post")
    expect(posts).to_have_count(2)
    expect(results).not_to_contain_text("Bread again")
    # The address follows the query (so back and reload work), without a page load.
    expect(page).to_have_url(f"{base_url}/search/?q=jazz")
    assert page.evaluate("window.__stayed") is True

    # A follow from the results swaps in place.
    people.get_by_role("button", name="Follow @jazzfan").click()
    expect(people.get_by_role("button", name="Unfollow @jazzfan")).to_have_attribute(
        "aria-pressed", "true"
    )

    box.fill("zzqx")
    expect(results.get_by_text("No posts match “zzqx”.")).to_be_visible()
    expect(page).to_have_title(re.compile("^zzqx · Search"))

    page.go_back()
    expect(box).to_have_value("jazz")
    expect(page).to_have_title("jazz · Search · Flywheel")
    expect(results.locator("article.post")).to_have_count(2)


def test_searching_a_hashtag_leads_to_its_page(page, sign_in, user, jazz_world, base_url):
    sign_in(user)
    page.goto("/search/")
    page.get_by_role("searchbox").press_sequentially("#jaz", delay=40)
    page.locator("#search-results").get_by_role("link", name="#jazz").click()
    expect(page).to_have_url(f"{base_url}/tags/jazz/")
    expect(page.get_by_role("heading", name="#jazz")).to_be_visible()
    expect(page.locator("article.post")).to_have_count(2)


def test_the_search_box_on_explore_submits_to_the_search_page(page, sign_in, user, jazz_world):
    PostFactory(author=jazz_world, text="Nothing to see")
    sign_in(user)
    page.goto("/explore/")
    page.get_by_role("searchbox", name="Search Flywheel").fill("coltrane")
    page.keyboard.press("Enter")
    expect(page.locator("#search-results article.post")).to_have_count(1)
    expect(
        page.get_by_role("searchbox", name="Search posts, people, hashtags and groups")
    ).to_have_value("coltrane")
