"""A newcomer's first hour, end to end in Chromium against the real stack (PostgreSQL,
Redis): sign up with interests, a warm For you, Following, a post with a picture and the
count going up, like, share (and see it on the profile), comment, follow, join a group,
search, read notifications, turn personalisation off and see it take effect, export, and
delete the account. A failure leaves a screenshot in test-results/screenshots/."""

import re
import zipfile
from datetime import timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect

from accounts.models import User
from feeds.models import FeedArm
from social import services
from social.models import Comment, Like, Membership, Post, Share
from tests.factories import UserFactory
from tests.feeds.home_helpers import write
from tests.social.factories import GroupFactory


@pytest.fixture
def busy_site(db):
    """A site with life in it, in the chronological arm (where a newcomer's home used to be
    empty): posts about #jazz and other topics, some liked, a jazz group, and Ben."""
    FeedArm.objects.update(weight=0)
    FeedArm.objects.update_or_create(
        name="chronological", defaults={"strategy": FeedArm.Strategy.CHRONOLOGICAL, "weight": 1}
    )
    ben = UserFactory(username="ben", display_name="Ben Okafor")
    fans = [UserFactory() for _ in range(3)]
    for n in range(15):
        write(UserFactory(), f"Late set number {n} #jazz", age=timedelta(hours=n + 1))
        liked = write(UserFactory(), f"Seedlings {n} #gardening", age=timedelta(hours=n + 2))
        for fan in fans[: 1 + n % 3]:
            services.like_create(user=fan, post=liked)
    bens = write(ben, "Coltrane at the Vanguard tonight #jazz", age=timedelta(minutes=5))
    GroupFactory(name="Jazz Cellar", slug="jazz-cellar", description="Live #jazz in town")
    return ben, bens


def test_a_newcomers_first_hour(page, base_url, busy_site, tmp_path):
    ben, bens_post = busy_site

    # Sign up, with interests.
    page.goto("/accounts/signup/")
    page.get_by_label("Username", exact=True).fill("nova")
    page.get_by_label("Password", exact=True).fill("a long and unusual phrase")
    page.get_by_label("Interests (optional)").fill("jazz, hiking")
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(f"{base_url}/")
    nova = User.objects.get(username="nova")
    assert nova.interests == ["jazz", "hiking"]

    # A warm For you: a full page with reasons, from her interests and what is popular.
    timeline = page.get_by_role("region", name="Your timeline")
    tabs = page.get_by_role("navigation", name="Home feeds")
    expect(tabs.get_by_role("link", name="For you")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("Your home is quiet for now")).to_be_hidden()
    expect(timeline.locator("article.post")).to_have_count(20)
    expect(timeline.get_by_text("About #jazz, one of your interests").first).to_be_visible()
    expect(timeline.get_by_text("Popular this week").first).to_be_visible()

    # Following: nobody yet, and it says so.
    tabs.get_by_role("link", name="Following").click()
    expect(page).to_have_url(f"{base_url}/following/")
    expect(page.get_by_text("Nothing from people you follow yet.")).to_be_visible()
    tabs.get_by_role("link", name="For you").click()

    # Post with a picture: the sidebar's count follows at once.
    picture = tmp_path / "trumpet.png"
    Image.new("RGB", (90, 60), (200, 160, 40)).save(picture)
    posts_count = page.get_by_role("complementary").locator("[data-my-post-count]")
    expect(posts_count).to_have_text("0")
    page.get_by_label("What is happening?").fill("My first night at the Cellar #jazz")
    page.locator('#compose input[type="file"]').set_input_files(picture)
    page.get_by_role("button", name="Post", exact=True).click()
    first = timeline.locator("article.post").first
    expect(first).to_contain_text("My first night at the Cellar")
    expect(first.get_by_role("img", name="Picture posted by @nova")).to_be_visible()
    expect(posts_count).to_have_text("1")

    # Like, share and comment on Ben's post.
    page.goto(f"/posts/{bens_post.pk}/")
    card = page.locator(f"#post-{bens_post.pk}")
    card.get_by_role("button", name="Like: 0").click()
    expect(card.get_by_role("button", name="Liked: 1")).to_be_visible()
    card.get_by_label("Share (0 shares)").click()
    card.get_by_role("button", name="Share now").click()
    expect(card.get_by_role("button", name="Shared (undo): 1")).to_be_visible()
    page.get_by_label("Your reply").fill("See you there!")
    page.get_by_role("button", name="Reply").click()
    expect(page.locator(".comment").filter(has_text="See you there!")).to_be_visible()
    assert Like.objects.filter(user=nova, post=bens_post).exists()
    assert Comment.objects.filter(author=nova, post=bens_post).exists()

    # The share is on her profile.
    page.goto("/@nova")
    shared = page.locator(f"#post-{bens_post.pk}")
    expect(shared.locator(".post__context")).to_have_text(re.compile(r"@nova\s+shared"))
    assert Share.objects.filter(user=nova, post=bens_post).exists()

    # Follow Ben; his post is on Following now.
    page.goto("/@ben")
    page.get_by_role("button", name="Follow", exact=True).click()
    expect(page.get_by_role("button", name="Following")).to_be_visible()
    page.goto("/following/")
    expect(page.locator(f"#post-{bens_post.pk}")).to_be_visible()

    # Join a group.
    page.goto("/groups/jazz-cellar/")
    header = page.locator(".group-header")
    header.get_by_role("button", name="Join").click()
    expect(header.get_by_role("button", name="Member")).to_be_visible()
    assert Membership.objects.filter(user=nova, group__slug="jazz-cellar").exists()

    # Search.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.get_by_role("searchbox", name="Search posts, people, hashtags and groups").fill("coltrane")
    expect(page.locator("#search-results article.post")).to_have_count(1)

    # Notifications: Ben follows back and likes her post.
    services.follow_create(follower=ben, followee=nova)
    services.like_create(user=ben, post=Post.objects.get(author=nova))
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile("Notifications")
    ).click()
    expect(page.get_by_text("followed you").first).to_be_visible()
    expect(page.get_by_text("liked your post").first).to_be_visible()

    # Personalisation off: settings say so, and For you loses the interest posts.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    expect(page.get_by_text("comparison group")).to_be_visible()
    page.get_by_label("Personalise For you").uncheck()
    page.get_by_role("button", name="Save privacy settings").click()
    expect(page.get_by_text("Personalisation is off")).to_be_visible()
    page.goto("/")
    expect(timeline.get_by_text("About #jazz, one of your interests")).to_have_count(0)
    expect(timeline.get_by_text("Popular this week").first).to_be_visible()

    # Export her data.
    page.goto("/accounts/settings/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your data").click()
    archive = tmp_path / "export.zip"
    download.value.save_as(archive)
    with zipfile.ZipFile(archive) as exported:
        assert any("posts" in name for name in exported.namelist())

    # Delete the account.
    page.goto("/accounts/delete/")
    page.get_by_label("Your password").fill("a long and unusual phrase")
    page.get_by_role("button", name="Delete my account for good").click()
    expect(page.get_by_role("status")).to_contain_text("Your account and everything in it")
    assert not User.objects.filter(username="nova", is_active=True).exists()
