"""Cross-site scripting: what people type is shown as text everywhere and never runs.

A hostile person puts script and attribute payloads in posts, replies, their display name and
bio, group names and descriptions, and search queries. Another person then visits every page
where those appear, full pages and htmx fragments alike, and the test proves nothing ran: no
`window.__xss`, no dialog, no inline event handler or `javascript:` link in the page, and the
payloads are shown literally.
"""

import pytest
from playwright.sync_api import expect

from social import services
from social.models import Group
from tests.factories import UserFactory
from tests.social.factories import PostFactory

SCRIPT = "<script>window.__xss=1</script>"
BREAKOUT = '"><img src=x onerror="window.__xss=1">'
SVG = "'><svg/onload=alert(1)>"
JS_URL = "javascript:alert(document.domain)"
HASHTAG = '#tag"onmouseover="window.__xss=1"'
MENTION = "@ana<svg onload=window.__xss=1>"
LINK = 'https://example.com/"onmouseover="window.__xss=1"'
POST_TEXT = "\n".join([SCRIPT, BREAKOUT, SVG, JS_URL, HASHTAG, MENTION, LINK])

# Everything that could run if markup leaked: handlers on any element, script links, scripts
# or images that came from user text, and (for the record) what the payloads would have set.
FORENSICS = """() => {
  const handlers = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (attr.name.startsWith("on")) handlers.push(el.tagName + " " + attr.name);
    }
  }
  return {
    xss: typeof window.__xss,
    handlers,
    jsLinks: document.querySelectorAll('[href^="javascript:" i], [src^="javascript:" i]').length,
    mainScripts: document.querySelectorAll("main script").length,
    strayImages: document.querySelectorAll('img[src="x"], main svg[onload]').length,
  };
}"""
CLEAN = {"xss": "undefined", "handlers": [], "jsLinks": 0, "mainScripts": 0, "strayImages": 0}


@pytest.fixture
def dialogs(page):
    """Every alert, confirm or prompt the page opens (there must be none)."""
    opened = []

    def record(dialog):
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return opened


@pytest.fixture
def hostile_world(user):
    """Mallory fills every field a person can type into with payloads; Ana meets them all."""
    mallory = UserFactory(username="mallory", display_name=BREAKOUT, bio=SCRIPT + SVG)
    services.follow_create(follower=user, followee=mallory)
    services.follow_create(follower=mallory, followee=user)
    post = services.post_create(author=mallory, text=POST_TEXT)
    anas_post = PostFactory(author=user, text="A quiet post")
    services.like_create(user=mallory, post=anas_post)
    services.share_create(user=mallory, post=anas_post, comment=SCRIPT + BREAKOUT)
    services.comment_create(author=mallory, post=anas_post, text=SVG + SCRIPT + HASHTAG)
    services.comment_create(author=mallory, post=post, text=BREAKOUT + MENTION)
    public = services.group_create(owner=mallory, name=BREAKOUT[:40], description=SCRIPT + SVG)
    private = services.group_create(
        owner=mallory, name='Club"><svg onload=alert(1)>', privacy=Group.Privacy.PRIVATE
    )
    for group in (public, private):
        services.group_join(user=user, group=group)
    services.group_request_decide(moderator=mallory, group=private, user=user, approve=True)
    in_group = services.post_create(author=mallory, text=BREAKOUT + " in a group", group=public)
    return {
        "mallory": mallory,
        "post": post,
        "anas_post": anas_post,
        "public": public,
        "private": private,
        "in_group": in_group,
    }


def assert_inert(page, dialogs, where):
    # Pointer over every link and post body: a smuggled onmouseover would fire now.
    for element in page.locator("main .post__body, main .post__body a, main .comment__body").all():
        element.hover()
    assert page.evaluate(FORENSICS) == CLEAN, where
    assert dialogs == [], where


def test_payloads_in_posts_names_and_groups_never_run(page, sign_in, dialogs, user, hostile_world):
    world = hostile_world
    post, public = world["post"], world["public"]
    sign_in(user)

    page.goto("/")
    card = page.locator(f"#post-{post.pk}")
    body = card.locator(".post__body")
    expect(body).to_contain_text(SCRIPT)
    expect(body).to_contain_text(BREAKOUT)
    expect(body).to_contain_text(SVG)
    expect(body).to_contain_text(JS_URL)  # text, not a link
    expect(body.get_by_role("link", name="#tag")).to_have_attribute("href", "/tags/tag/")
    expect(body.get_by_role("link", name="@ana")).to_have_attribute("href", "/@ana")
    expect(body.get_by_role("link", name="https://example.com/")).to_have_attribute(
        "href", "https://example.com/"
    )
    expect(card.locator(".post__name")).to_have_text(BREAKOUT)
    shared = page.locator(f"#post-{world['anas_post'].pk}")
    expect(shared.locator(".post__share-comment")).to_have_text(SCRIPT + BREAKOUT)
    expect(page.get_by_role("complementary", name="You and your groups")).to_contain_text(
        public.name
    )
    assert_inert(page, dialogs, "home")

    page.goto("/explore/")
    expect(page.locator(f"#post-{world['in_group'].pk} .post__group")).to_have_text(public.name)
    expect(page.get_by_role("complementary", name="More to discover")).to_contain_text(public.name)
    assert_inert(page, dialogs, "explore")

    page.goto("/@mallory")
    expect(page.get_by_role("heading", level=1)).to_have_text(BREAKOUT)
    expect(page.locator(".profile-header__bio")).to_have_text(SCRIPT + SVG)
    expect(page).to_have_title(f"{BREAKOUT} (@mallory) · Flywheel")
    assert_inert(page, dialogs, "profile")

    page.goto("/@ana/followers")
    expect(page.get_by_role("region", name="Followers")).to_contain_text(BREAKOUT)
    assert_inert(page, dialogs, "followers")

    page.goto(f"/posts/{post.pk}/")
    expect(page.locator("article.comment .comment__body")).to_have_text(BREAKOUT + MENTION)
    assert_inert(page, dialogs, "post page")

    page.goto(f"/posts/{world['anas_post'].pk}/")
    expect(page.locator("article.comment .comment__body")).to_contain_text(SVG + SCRIPT)
    # A reply typed now comes back as an htmx fragment: escaped as well.
    page.get_by_label("Your reply").fill(SCRIPT + BREAKOUT)
    page.get_by_role("button", name="Reply").click()
    expect(page.locator("article.comment").last.locator(".comment__body")).to_have_text(
        SCRIPT + BREAKOUT
    )
    assert_inert(page, dialogs, "reply fragment")

    page.goto("/tags/tag/")
    expect(page.locator(f"#post-{post.pk}")).to_be_visible()
    assert_inert(page, dialogs, "hashtag")

    page.goto(f"/groups/{public.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(public.name)
    expect(page.locator(".group-header__description")).to_have_text(SCRIPT + SVG)
    expect(page.locator(".avatar-grid a").first).to_have_attribute(
        "title", f"{BREAKOUT} (@mallory) · Owner"
    )
    # A post written in the group comes back as an htmx fragment.
    page.get_by_label(f"Post in {public.name}").fill(SVG + " hello")
    page.get_by_role("button", name="Post in group").click()
    expect(page.locator("#post-list article.post").first.locator(".post__body")).to_have_text(
        SVG + " hello"
    )
    assert_inert(page, dialogs, "public group")

    private = world["private"]
    page.goto(f"/groups/{private.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(private.name)
    leave = page.locator(".group-header form[hx-confirm]")
    expect(leave).to_have_attribute(
        "hx-confirm",
        f"Leave {private.name}? You will need a moderator's approval to come back.",
    )
    assert_inert(page, dialogs, "private group")

    page.goto("/groups/")
    expect(page.locator(".group-card__name").filter(has_text=public.name)).to_have_count(1)
    assert_inert(page, dialogs, "groups")

    page.goto("/notifications/")
    notifications = page.get_by_role("region", name="Notifications")
    expect(notifications).to_contain_text(BREAKOUT)
    expect(notifications).to_contain_text(SVG + SCRIPT)
    expect(notifications).to_contain_text(private.name)
    assert_inert(page, dialogs, "notifications")


@pytest.mark.parametrize("query", [SCRIPT, BREAKOUT, SVG, HASHTAG, MENTION, JS_URL])
def test_search_queries_are_shown_as_text(page, sign_in, dialogs, user, hostile_world, query):
    sign_in(user)
    page.goto("/search/")
    page.get_by_role("searchbox").fill(query)  # live: the results are an htmx fragment
    results = page.locator("#search-results")
    expect(results.get_by_role("region", name="Posts")).to_be_visible()
    expect(page).to_have_title(f"{query} · Search · Flywheel")
    assert_inert(page, dialogs, f"live search for {query!r}")

    page.reload()  # the same query as a full page
    expect(page.get_by_role("searchbox")).to_have_value(query)
    expect(page).to_have_title(f"{query} · Search · Flywheel")
    assert_inert(page, dialogs, f"search page for {query!r}")


def test_a_post_typed_in_the_compose_box_comes_back_escaped(page, sign_in, dialogs, user):
    sign_in(user)
    page.goto("/")
    page.get_by_label("What is happening?").fill(POST_TEXT)
    page.get_by_role("button", name="Post", exact=True).click()
    body = page.locator("#post-list article.post").first.locator(".post__body")
    expect(body).to_contain_text(SCRIPT)
    expect(body).to_contain_text(BREAKOUT)
    assert_inert(page, dialogs, "compose fragment")
