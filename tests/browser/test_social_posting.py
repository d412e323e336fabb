"""Writing posts from the home compose box, and reading an endless list, in Chromium."""

import re

from PIL import Image
from playwright.sync_api import expect

from social.models import Post
from tests.factories import UserFactory
from tests.social.factories import PostFactory


def compose_box(page):
    return page.locator("#compose")


def test_a_post_with_a_picture_appears_at_the_top_of_home(page, sign_in, user, tmp_path):
    PostFactory(author=user, text="An older post of mine")
    picture = tmp_path / "sunset.png"
    Image.new("RGB", (120, 80), (240, 120, 30)).save(picture)
    sign_in(user)
    page.goto("/")
    page.evaluate("window.__stayed = true")

    compose = compose_box(page)
    compose.get_by_label("What is happening?").fill("Sunset over the bay #sunsets")
    compose.locator('input[type="file"]').set_input_files(picture)
    expect(compose.locator("[data-file-name]")).to_have_text("sunset.png")
    compose.get_by_role("button", name="Post", exact=True).click()

    timeline = page.get_by_role("region", name="Your timeline")
    first = timeline.locator("article.post").first
    expect(first).to_contain_text("Sunset over the bay #sunsets")
    expect(first.get_by_role("link", name="#sunsets")).to_have_attribute("href", "/tags/sunsets/")
    picture_shown = first.get_by_role("img", name="Picture posted by @ana")
    expect(picture_shown).to_be_visible()
    assert picture_shown.evaluate("img => img.decode().then(() => img.naturalWidth)") == 120
    expect(timeline.locator("article.post")).to_have_count(2)
    # The compose box is back, empty, ready for the next post; the page never reloaded.
    expect(compose.get_by_label("What is happening?")).to_have_value("")
    expect(compose.locator("[data-file-name]")).to_have_text("")
    assert page.evaluate("window.__stayed") is True

    post = Post.objects.get(text="Sunset over the bay #sunsets")
    assert post.author == user
    assert post.image.width == 120
    assert list(post.hashtags.values_list("name", flat=True)) == ["sunsets"]


def test_a_fake_picture_is_refused_with_a_readable_error(page, sign_in, user, tmp_path):
    fake = tmp_path / "holiday.png"
    fake.write_text("this is a text file, not a picture")
    sign_in(user)
    page.goto("/")

    compose = compose_box(page)
    compose.get_by_label("What is happening?").fill("Look at this")
    compose.locator('input[type="file"]').set_input_files(fake)
    compose.get_by_role("button", name="Post", exact=True).click()

    expect(compose.get_by_text("That file is not an image we can read.")).to_be_visible()
    # The words survive, so the person can pick another picture and try again.
    expect(compose.get_by_label("What is happening?")).to_have_value("Look at this")
    expect(page.locator("article.post")).to_have_count(0)
    assert not Post.objects.exists()


def test_an_empty_post_shows_an_error(page, sign_in, user):
    sign_in(user)
    page.goto("/")

    compose = compose_box(page)
    compose.get_by_label("What is happening?").fill("   ")
    compose.get_by_role("button", name="Post", exact=True).click()

    expect(compose.get_by_text("Write something: the post is empty.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/$"))
    assert not Post.objects.exists()


def test_the_character_counter_counts_down(page, sign_in, user):
    sign_in(user)
    page.goto("/")
    box = compose_box(page).get_by_label("What is happening?")
    box.fill("x" * 470)
    counter = compose_box(page).locator(".compose__counter")
    expect(counter).to_have_text("30")
    expect(counter).to_have_class(re.compile(r"\bis-low\b"))


def test_explore_loads_older_posts_when_scrolled_to_the_end(page, sign_in, user):
    author = UserFactory(username="writer")
    posts = [PostFactory(author=author, text=f"Post number {n}") for n in range(45)]
    sign_in(user)
    page.goto("/explore/")

    cards = page.locator("#post-list article.post")
    expect(cards).to_have_count(20)
    for expected in (40, 45):
        page.locator("#post-list > .more").scroll_into_view_if_needed()
        expect(cards).to_have_count(expected)
    page.mouse.wheel(0, 10_000)
    expect(page.locator("#post-list > .more")).to_have_count(0)

    ids = [int(i) for i in cards.evaluate_all("cards => cards.map(c => c.dataset.trackPost)")]
    assert len(ids) == len(set(ids)) == 45
    assert ids == sorted((p.pk for p in posts), reverse=True)  # newest first, none skipped
    positions = cards.evaluate_all("cards => cards.map(c => Number(c.dataset.position))")
    assert positions == list(range(45))
    expect(cards.last).to_contain_text("Post number 0")
