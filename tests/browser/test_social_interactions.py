"""Liking, sharing, replying to and reporting posts, in Chromium, the way a person does it."""

import re

import pytest
from playwright.sync_api import expect

from social import services
from social.models import Comment, Like, Post, Report, Share
from tests.factories import UserFactory
from tests.social.factories import CommentFactory, PostFactory


@pytest.fixture
def bens_post(other_user):
    return PostFactory(author=other_user, text="Fresh bread this morning")


def card(page, post):
    return page.locator(f"#post-{post.pk}")


def test_like_and_unlike_change_in_place(page, sign_in, user, bens_post, base_url):
    sign_in(user)
    page.goto("/explore/")
    page.evaluate("window.__stayed = true")
    post = card(page, bens_post)

    post.get_by_role("button", name="Like: 0").click()
    liked = post.get_by_role("button", name="Liked: 1")
    expect(liked).to_have_attribute("aria-pressed", "true")
    assert Like.objects.filter(user=user, post=bens_post).exists()
    assert Post.objects.get(pk=bens_post.pk).like_count == 1

    liked.click()
    unliked = post.get_by_role("button", name="Like: 0")
    expect(unliked).to_have_attribute("aria-pressed", "false")
    assert not Like.objects.filter(user=user, post=bens_post).exists()
    assert Post.objects.get(pk=bens_post.pk).like_count == 0

    # Both swaps happened in place: same address, and the page's own state survived.
    expect(page).to_have_url(f"{base_url}/explore/")
    assert page.evaluate("window.__stayed") is True


def test_share_with_a_comment_reaches_followers_then_undo(
    page, context, browser, sign_in, user, other_user, bens_post, base_url
):
    follower = UserFactory(username="cleo")
    services.follow_create(follower=follower, followee=user)
    sign_in(user)
    page.goto("/explore/")

    post = card(page, bens_post)
    post.get_by_label("Share (0 shares)").click()
    post.get_by_role("link", name="Share with a comment…").click()
    expect(page.get_by_role("heading", name="Share with your followers")).to_be_visible()
    page.get_by_label("Add a comment").fill("Worth the early start")
    page.get_by_role("button", name="Share", exact=True).click()

    expect(page).to_have_url(f"{base_url}/posts/{bens_post.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Shared with your followers.")
    share = Share.objects.get(user=user, post=bens_post)
    assert share.comment == "Worth the early start"

    # Cleo follows Ana: the share, with Ana's words, is on Cleo's home.
    cleo_context = browser.new_context(base_url=base_url)
    try:
        sign_in(follower, into=cleo_context)
        cleo = cleo_context.new_page()
        cleo.goto("/")
        shared = cleo.locator(f"#post-{bens_post.pk}")
        expect(shared.locator(".post__context")).to_have_text(re.compile(r"@ana\s+shared"))
        expect(shared.locator(".post__share-comment")).to_have_text("Worth the early start")
    finally:
        cleo_context.close()

    undo = card(page, bens_post).get_by_role("button", name="Shared (undo): 1")
    expect(undo).to_have_attribute("aria-pressed", "true")
    undo.click()
    expect(card(page, bens_post).get_by_label("Share (0 shares)")).to_be_visible()
    assert not Share.objects.filter(user=user, post=bens_post).exists()
    assert Post.objects.get(pk=bens_post.pk).share_count == 0


def test_share_now_from_the_menu(page, sign_in, user, bens_post):
    sign_in(user)
    page.goto("/explore/")
    post = card(page, bens_post)
    post.get_by_label("Share (0 shares)").click()
    post.get_by_role("button", name="Share now").click()
    expect(post.get_by_role("button", name="Shared (undo): 1")).to_be_visible()
    assert Share.objects.filter(user=user, post=bens_post, comment="").exists()


def test_reply_then_delete_the_reply(page, sign_in, user, bens_post):
    sign_in(user)
    page.goto(f"/posts/{bens_post.pk}/")
    page.on("dialog", lambda dialog: dialog.accept())
    replies = page.get_by_role("region", name=re.compile("^Replies"))
    expect(replies).to_contain_text("No replies yet.")

    replies.get_by_label("Your reply").fill("Which bakery?")
    replies.get_by_role("button", name="Reply").click()

    comment = replies.locator("article.comment", has_text="Which bakery?")
    expect(comment).to_be_visible()
    expect(comment).to_contain_text("@ana")
    expect(replies.get_by_label("Your reply")).to_have_value("")
    expect(page.locator("#comments-total")).to_have_text("1")
    expect(page.locator(f"#comment-count-{bens_post.pk}")).to_have_text("1")
    expect(replies.get_by_text("No replies yet.")).to_be_hidden()
    assert Comment.objects.get(post=bens_post).text == "Which bakery?"

    comment.get_by_role("button", name="Delete").click()
    expect(comment).to_have_count(0)
    expect(page.locator("#comments-total")).to_have_text("0")
    expect(page.locator(f"#comment-count-{bens_post.pk}")).to_have_text("0")
    assert not Comment.objects.filter(post=bens_post).exists()
    assert Post.objects.get(pk=bens_post.pk).comment_count == 0


def test_an_empty_reply_shows_an_error(page, sign_in, user, bens_post):
    sign_in(user)
    page.goto(f"/posts/{bens_post.pk}/")
    page.get_by_role("button", name="Reply").click()
    expect(page.get_by_text("Write something: the comment is empty.")).to_be_visible()
    assert not Comment.objects.exists()


def test_the_author_removes_someone_elses_reply(page, sign_in, user, other_user):
    mine = PostFactory(author=user, text="My hot take")
    rude = CommentFactory(post=mine, author=other_user, text="Rude reply")
    CommentFactory(post=mine, author=other_user, text="Polite reply")
    sign_in(user)
    page.goto(f"/posts/{mine.pk}/")
    page.on("dialog", lambda dialog: dialog.accept())

    rude_card = page.locator(f"#comment-{rude.pk}")
    expect(rude_card.get_by_role("button", name="Delete")).to_have_count(0)
    rude_card.get_by_role("button", name="Remove").click()

    expect(rude_card).to_have_count(0)
    expect(page.locator("article.comment")).to_have_text([re.compile("Polite reply")])
    expect(page.locator("#comments-total")).to_have_text("1")
    assert list(Comment.objects.values_list("text", flat=True)) == ["Polite reply"]


def test_others_cannot_remove_a_reply_on_someone_elses_post(page, sign_in, user, bens_post):
    CommentFactory(post=bens_post, author=UserFactory(username="dee"), text="Nice!")
    sign_in(user)
    page.goto(f"/posts/{bens_post.pk}/")
    comment = page.locator("article.comment")
    expect(comment).to_contain_text("Nice!")
    expect(comment.get_by_role("button")).to_have_count(0)
    expect(comment.get_by_role("link", name="Report")).to_be_visible()


def test_report_a_post_with_a_reason(page, sign_in, user, bens_post, base_url):
    sign_in(user)
    page.goto("/explore/")
    post = card(page, bens_post)
    post.get_by_label("More actions for this post").click()
    post.get_by_role("link", name="Report post").click()

    expect(page).to_have_url(f"{base_url}/report/post/{bens_post.pk}/")
    expect(page.get_by_role("heading", name="Report a post")).to_be_visible()
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_text("Choose a reason.")).to_be_visible()
    assert not Report.objects.exists()

    page.get_by_label("Spam").check()
    page.get_by_label("Anything else our moderators should know?").fill("Same ad ten times")
    page.get_by_role("button", name="Send report").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Thank you. Your report is with our moderators."
    )
    report = Report.objects.get()
    assert (report.reporter, report.post, report.reason) == (user, bens_post, "spam")
    assert report.details == "Same ad ten times"
    assert report.status == Report.Status.OPEN
