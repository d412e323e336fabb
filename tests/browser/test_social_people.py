"""Following, blocking and notifications between two people, each in their own browser."""

import re

from playwright.sync_api import expect

from social import services
from social.models import Block, Follow, Notification
from tests.social.factories import PostFactory


def followers_count(page):
    return page.locator("#profile-stats > div").nth(1).locator("dd")


def followers_term(page):
    return page.locator("#profile-stats > div").nth(1).locator("dt")


def test_follow_and_unfollow_from_a_profile(page, sign_in, user, other_user, base_url):
    sign_in(user)
    page.goto("/@ben")
    page.evaluate("window.__stayed = true")
    expect(page.get_by_role("heading", name="Ben Okafor")).to_be_visible()
    expect(followers_count(page)).to_have_text("0")

    page.get_by_role("button", name="Follow", exact=True).click()
    following = page.get_by_role("button", name="Following")
    expect(following).to_have_attribute("aria-pressed", "true")
    expect(followers_count(page)).to_have_text("1")
    expect(followers_term(page)).to_have_text("follower")
    assert Follow.objects.filter(follower=user, followee=other_user).exists()

    # Under the pointer the button says what a click will do, and keeps its name.
    following.hover()
    expect(following.locator(".follow-toggle__off")).to_have_css("opacity", "1")
    expect(following.locator(".follow-toggle__on")).to_have_css("opacity", "0")
    expect(page.get_by_role("button", name="Following")).to_be_visible()
    following.click()
    expect(page.get_by_role("button", name="Follow", exact=True)).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(followers_count(page)).to_have_text("0")
    expect(followers_term(page)).to_have_text("followers")
    assert not Follow.objects.filter(follower=user, followee=other_user).exists()
    expect(page).to_have_url(f"{base_url}/@ben")
    assert page.evaluate("window.__stayed") is True


def test_follow_back_and_the_followers_tab(page, sign_in, page_as, user, other_user):
    services.follow_create(follower=other_user, followee=user)
    sign_in(user)
    page.goto("/@ben")
    expect(page.get_by_text("Follows you")).to_be_visible()
    page.get_by_role("button", name="Follow back").click()
    expect(page.get_by_role("button", name="Following")).to_be_visible()

    page.get_by_role("navigation", name="Profile sections").get_by_role(
        "link", name="Followers"
    ).click()
    people = page.get_by_role("region", name="Followers")
    expect(people.locator(".person")).to_have_count(1)
    expect(people).to_contain_text("@ana")


def test_a_blocked_person_can_no_longer_see_the_blocker(
    page, sign_in, page_as, user, other_user, base_url
):
    secret = PostFactory(author=user, text="Ana's public thoughts")
    services.follow_create(follower=other_user, followee=user)
    services.follow_create(follower=user, followee=other_user)
    ben = page_as(other_user)
    ben.goto("/explore/")
    expect(ben.locator(f"#post-{secret.pk}")).to_be_visible()  # before the block

    sign_in(user)
    page.goto("/@ben")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_label("More options for @ben").click()
    page.get_by_role("button", name="Block @ben").click()
    expect(page.get_by_role("status").filter(has_text="You have blocked @ben.")).to_be_visible()
    expect(page.get_by_role("button", name="Unblock")).to_be_visible()
    expect(followers_count(page)).to_have_text("0")
    assert Block.objects.filter(blocker=user, blocked=other_user).exists()
    assert not Follow.objects.filter(follower=other_user, followee=user).exists()
    assert not Follow.objects.filter(follower=user, followee=other_user).exists()

    # Ben, in his own browser: Ana's profile, her post and her posts in lists are gone.
    ben.goto("/@ana")
    expect(ben.get_by_role("heading", name="Not found")).to_be_visible()
    expect(ben.get_by_text("There is no one called @ana here.")).to_be_visible()
    ben.goto(f"/posts/{secret.pk}/")
    expect(ben.get_by_role("heading", name="Not found")).to_be_visible()
    expect(ben.get_by_text("Ana's public thoughts")).to_have_count(0)
    ben.goto("/explore/")
    expect(ben.get_by_role("heading", name="Explore")).to_be_visible()
    expect(ben.get_by_text("Ana's public thoughts")).to_have_count(0)
    ben.goto("/")
    expect(ben.get_by_text("Ana's public thoughts")).to_have_count(0)
    ben.goto("/search/?q=thoughts")
    expect(ben.get_by_text("No posts match")).to_be_visible()

    # Ana unblocks; Ben sees her again (but the follows stay ended).
    page.get_by_role("button", name="Unblock").click()
    expect(page.get_by_role("button", name="Follow", exact=True)).to_be_visible()
    ben.goto("/@ana")
    expect(ben.locator(f"#post-{secret.pk}")).to_be_visible()
    expect(ben.get_by_role("button", name="Follow", exact=True)).to_be_visible()


def test_the_unread_badge_appears_after_someone_likes_a_post(
    page, sign_in, user, other_user, base_url
):
    post = PostFactory(author=user, text="Like me")
    sign_in(user)
    page.clock.install()  # the page's timers run on a clock the test can move forward
    page.goto("/")
    nav_link = page.get_by_role("navigation", name="Main").locator("#nav-notifications")
    expect(nav_link).to_have_text("Notifications")
    page.evaluate("window.__stayed = true")

    services.like_create(user=other_user, post=post)
    page.clock.run_for(31_000)  # the 30-second poll, without waiting 30 seconds

    expect(nav_link.locator(".badge")).to_have_text("1")
    expect(nav_link).to_contain_text("(1 unread)")
    assert page.evaluate("window.__stayed") is True

    nav_link.click()
    expect(page).to_have_url(f"{base_url}/notifications/")
    notification = page.locator(".notification").first
    expect(notification).to_contain_text("Ben Okafor")
    expect(notification).to_contain_text("Like me")
    expect(notification).to_have_class(re.compile(r"\bis-unread\b"))
    expect(page.locator("#unread-summary")).to_have_text("1 unread")

    page.get_by_role("button", name="Mark all as read").click()
    expect(page.locator("#unread-summary")).to_have_text("You are all caught up.")
    expect(page.locator("#nav-notifications .badge")).to_have_count(0)
    expect(notification).not_to_have_class(re.compile(r"\bis-unread\b"))
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
