"""Rough edges a newcomer met in their first hour, each checked the way they saw it."""

import re

from playwright.sync_api import expect

from social.models import Post
from tests.social.factories import GroupFactory, PostFactory


def test_admin_pages_ask_for_nothing_that_is_missing(page, staff_user, sign_in):
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    sign_in(staff_user)
    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Run the flywheel")).to_be_visible()
    # Browsers ask for /favicon.ico where a page names no icon, as the admin's do.
    icon = page.request.get("/favicon.ico")
    assert icon.ok
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert missing == []


def test_sign_up_shows_every_problem_at_once(page, base_url):
    page.goto("/accounts/signup/")
    page.get_by_label("Username", exact=True).fill("ab")
    page.get_by_label("Password", exact=True).fill("password")
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(f"{base_url}/accounts/signup/")
    expect(page.get_by_text("Use 3 to 30 letters, digits or underscores")).to_be_visible()
    expect(page.get_by_text("This password is too common.")).to_be_visible()


def test_the_sidebar_counts_a_new_post_at_once(page, sign_in, user):
    PostFactory(author=user, text="My first")
    sign_in(user)
    page.goto("/")
    count = page.get_by_role("complementary").locator("[data-my-post-count]")
    expect(count).to_have_text("1")
    page.get_by_label("What is happening?").fill("My second")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.locator("#post-list article.post").first).to_contain_text("My second")
    expect(count).to_have_text("2")


def test_saving_an_edit_on_its_own_page_goes_back_to_the_post(page, sign_in, user, base_url):
    post = PostFactory(author=user, text="Helo world")
    sign_in(user)
    page.goto(f"/posts/{post.pk}/edit/")
    page.get_by_role("textbox").fill("Hello world")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(f"{base_url}/posts/{post.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Post updated.")
    expect(page.locator("article.post").first).to_contain_text("Hello world")
    post.refresh_from_db()
    assert post.text == "Hello world"


def test_cancelling_an_edit_on_its_own_page_goes_back(page, sign_in, user, base_url):
    post = PostFactory(author=user, text="Stays as it is")
    sign_in(user)
    page.goto(f"/posts/{post.pk}/edit/")
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(f"{base_url}/posts/{post.pk}/")


def test_editing_in_a_list_stays_in_place(page, sign_in, user):
    post = PostFactory(author=user, text="Inline typo")
    sign_in(user)
    page.goto(f"/@{user.username}")
    card = page.locator(f"#post-{post.pk}")
    card.get_by_label("More actions for this post").click()
    card.get_by_role("link", name="Edit").click()
    page.locator(f"#post-{post.pk}").get_by_role("textbox").fill("Inline fixed")
    page.locator(f"#post-{post.pk}").get_by_role("button", name="Save").click()
    expect(page.locator(f"#post-{post.pk}")).to_contain_text("Inline fixed")
    expect(page).to_have_url(re.compile(rf"/@{user.username}$"))


def test_an_action_address_opened_by_itself_explains_itself(page, sign_in, user):
    post = PostFactory(author=user, text="Still here")
    sign_in(user)
    response = page.goto(f"/posts/{post.pk}/delete/")
    assert response.status == 405
    expect(page.get_by_role("heading", name="That address is an action")).to_be_visible()
    expect(page.get_by_text("use the button")).to_be_visible()
    assert Post.objects.filter(pk=post.pk).exists()


def test_shares_show_on_the_sharers_profile(page, sign_in, user, other_user):
    posts = {n: PostFactory(author=other_user, text=f"Post {n} by Ben") for n in ("one", "two")}
    sign_in(user)
    page.goto("/explore/")
    page.locator(f"#post-{posts['one'].pk}").get_by_label("Share (0 shares)").click()
    page.locator(f"#post-{posts['one'].pk}").get_by_role("button", name="Share now").click()
    expect(
        page.locator(f"#post-{posts['one'].pk}").get_by_role("button", name="Shared (undo): 1")
    ).to_be_visible()
    page.goto(f"/posts/{posts['two'].pk}/share/")
    page.get_by_label("Add a comment").fill("Read this one")
    page.get_by_role("button", name="Share", exact=True).click()

    page.goto(f"/@{user.username}")
    cards = page.locator("#post-list article.post")
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_contain_text("Post two by Ben")
    expect(cards.nth(0).locator(".post__share-comment")).to_have_text("Read this one")
    expect(cards.nth(1)).to_contain_text("Post one by Ben")
    expect(cards.nth(1).locator(".post__context")).to_have_text(
        re.compile(rf"@{user.username}\s+shared")
    )


def test_hashtags_in_a_group_description_are_links(page, base_url):
    group = GroupFactory(
        name="Trail friends",
        description="Weekend walks, #hiking and <b>maps</b>: https://example.com",
    )
    page.goto(f"/groups/{group.slug}/")
    header = page.locator(".group-header")
    expect(header).to_contain_text("<b>maps</b>")  # the text is escaped, not markup
    expect(header.get_by_role("link", name="https://example.com")).to_be_visible()
    header.get_by_role("link", name="#hiking").click()
    expect(page).to_have_url(f"{base_url}/tags/hiking/")


def test_the_main_navigation_reads_in_the_usual_order(page, sign_in, user):
    sign_in(user)
    page.goto("/")
    links = page.get_by_role("navigation", name="Main").locator(".nav--main .nav__link")
    expect(links).to_have_text(["Home", "Explore", "Groups", "Search", "Notifications", "Settings"])
