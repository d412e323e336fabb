"""The social pages that show lists: home, explore, profile, post, hashtag, groups,
notifications and search. Each renders for anonymous people (where public), logged in, with
data and empty; htmx gets fragments; private and moderated content never leaks."""

import re

import pytest
from django.urls import reverse

from social import services
from social.models import Post
from tests.social.test_pages_helpers import (
    HTMX,
    group_by,
    html,
    is_fragment,
    join,
    someone,
    write,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """These tests make many people; Argon2 would make each one cost a quarter second."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def next_url(response) -> str | None:
    match = re.search(r'hx-get="([^"]*cursor=[^"]*)" hx-trigger="revealed"', html(response))
    return match.group(1).replace("&amp;", "&") if match else None


# --- home ------------------------------------------------------------------------------


def test_home_for_anonymous_people_is_the_landing_page(client):
    response = client.get(reverse("social:home"))
    assert response.status_code == 200
    assert "Create an account" in html(response)
    assert 'id="compose"' not in html(response)


def test_home_empty_says_what_to_do_next(client, user):
    client.force_login(user)
    response = client.get(reverse("social:home"))
    assert response.status_code == 200
    page = html(response)
    assert 'id="compose"' in page
    assert "Follow people or join groups to fill your home" in page


@pytest.mark.usefixtures("chronological_home")
def test_home_shows_followees_own_group_posts_and_shares_not_strangers_or_muted(
    client, user, other_user
):
    stranger, muted, sharer = someone("stranger"), someone("mutedone"), someone("sharer")
    for person in (other_user, muted, sharer):
        services.follow_create(follower=user, followee=person)
    services.mute_create(muter=user, muted=muted)
    group = group_by(someone("owner"))
    join(group, user)
    write(other_user, "from ben whom ana follows")
    write(user, "ana's own words")
    write(group.owner, "inside the group", group=group)
    write(stranger, "a stranger's post")
    write(muted, "muted chatter")
    shared = write(stranger, "worth sharing")
    services.share_create(user=sharer, post=shared, comment="read this")

    client.force_login(user)
    page = html(client.get(reverse("social:home")))
    for text in ("from ben whom ana follows", "ana&#x27;s own words", "inside the group"):
        assert text in page
    assert "a stranger&#x27;s post" not in page and "muted chatter" not in page
    assert "worth sharing" in page and "@sharer</a> shared" in page and "read this" in page
    assert "Follow people or join groups" not in page


def test_home_htmx_gets_the_items_fragment(client, user):
    write(user, "mine")
    client.force_login(user)
    response = client.get(reverse("social:home"), **HTMX)
    assert response.status_code == 200 and is_fragment(response)
    assert "mine" in html(response)


# --- explore and endless scrolling -----------------------------------------------------


def test_explore_for_anonymous_and_logged_in(client, user, other_user):
    write(other_user, "hello from ben #intro")
    for viewer in (None, user):
        if viewer:
            client.force_login(viewer)
        response = client.get(reverse("social:explore"))
        assert response.status_code == 200
        assert "hello from ben" in html(response)
        assert 'href="/tags/intro/"' in html(response)


def test_explore_empty(client):
    response = client.get(reverse("social:explore"))
    assert response.status_code == 200
    assert "Nothing here yet" in html(response)


def test_lists_scroll_by_cursor_without_gaps_or_duplicates(client, user):
    posts = [write(user, f"number {n}") for n in range(45)]
    response = client.get(reverse("social:explore"))
    seen = re.findall(r'id="post-(\d+)"', html(response))
    assert len(seen) == 20
    url = next_url(response)
    assert url and "cursor=" in url
    while url:
        # a new post arriving while someone scrolls must not shift the next page
        write(user, "arrived meanwhile")
        response = client.get(url, **HTMX)
        assert response.status_code == 200 and is_fragment(response)
        seen += re.findall(r'id="post-(\d+)"', html(response))
        url = next_url(response)
    assert [int(pk) for pk in seen] == [p.pk for p in reversed(posts)]


def test_next_page_works_without_javascript_as_a_full_page(client, user):
    for n in range(25):
        write(user, f"number {n}")
    url = next_url(client.get(reverse("social:explore")))
    response = client.get(url)
    assert response.status_code == 200 and "<html" in html(response)
    assert len(re.findall(r'id="post-\d+"', html(response))) == 5


def test_a_forged_cursor_is_a_400_not_a_500(client):
    for cursor in ("garbage", "W10", "eyJ4Ijp0cnVlfQ", "WyJub3QtYW4taWQiXQ"):
        response = client.get(reverse("social:explore"), {"cursor": cursor})
        assert response.status_code == 400, cursor


# --- profile ---------------------------------------------------------------------------


def test_profile_renders_for_anonymous_with_counts_and_posts(client, user, other_user):
    services.follow_create(follower=other_user, followee=user)
    write(user, "ana writes")
    response = client.get(reverse("social:profile", args=["ana"]))
    assert response.status_code == 200
    page = html(response)
    assert "Ana Lima" in page and "ana writes" in page
    # a term before its value, as a description list should be read
    assert re.search(r"<dt><a [^>]*>follower</a></dt><dd><a [^>]*>1</a></dd>", page)
    assert reverse("social:profile", args=["ana"]) == "/@ana"


def test_profile_alias_and_unknown_people(client, user):
    assert client.get("/u/ana/").headers["Location"] == "/@ana"
    assert client.get("/@nobody-here").status_code == 404


def test_own_profile_empty_and_someone_elses(client, user, other_user):
    client.force_login(user)
    own = html(client.get(reverse("social:profile", args=["ana"])))
    assert "Edit profile" in own and "You have not posted yet" in own
    other = html(client.get(reverse("social:profile", args=["ben"])))
    assert ">Follow<" in other and "has not posted anything you can see yet" in other


def test_followers_and_following_tabs(client, user, other_user):
    services.follow_create(follower=other_user, followee=user)
    followers = html(client.get(reverse("social:followers", args=["ana"])))
    assert "@ben" in followers
    following = html(client.get(reverse("social:following", args=["ana"])))
    assert "does not follow anyone yet" in following
    client.force_login(user)
    response = client.get(reverse("social:followers", args=["ana"]), **HTMX)
    assert is_fragment(response) and "@ben" in html(response)


def test_someone_who_blocked_you_is_not_found(client, user, other_user):
    services.block_create(blocker=other_user, blocked=user)
    client.force_login(user)
    assert client.get(reverse("social:profile", args=["ben"])).status_code == 404


# --- private groups, hidden posts, suspended people ------------------------------------


@pytest.fixture
def secret(user):
    """A private group owned by ana with one post; ben is not a member."""
    group = group_by(user, "Inner circle", private=True)
    post = write(user, "secret plans #hush", group=group)
    return group, post


def test_private_group_posts_never_reach_non_members(client, user, other_user, secret):
    group, post = secret
    for viewer in (None, other_user):
        client.logout()
        if viewer:
            client.force_login(viewer)
        for url in (
            reverse("social:explore"),
            reverse("social:profile", args=["ana"]),
            reverse("social:hashtag", args=["hush"]),
            reverse("social:search") + "?q=secret",
            reverse("social:search") + "?q=%23hush",
            reverse("social:group", args=[group.slug]),
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            assert "secret plans" not in html(response), url
        assert client.get(reverse("social:post", args=[post.pk])).status_code == 404
        assert client.get(reverse("social:post_card", args=[post.pk])).status_code == 404
    group_page = html(client.get(reverse("social:group", args=[group.slug])))
    assert "This group is private" in group_page


def test_members_see_private_group_posts(client, user, other_user, secret):
    group, post = secret
    join(group, other_user)
    client.force_login(other_user)
    for url in (
        reverse("social:profile", args=["ana"]),
        reverse("social:group", args=[group.slug]),
        reverse("social:post", args=[post.pk]),
        reverse("social:home"),
    ):
        assert "secret plans" in html(client.get(url)), url


def test_hidden_posts_and_suspended_people_vanish(client, user, other_user):
    hidden = write(other_user, "hidden by a moderator")
    Post.objects.filter(pk=hidden.pk).update(is_hidden=True)
    suspended = someone("suspended")
    gone = write(suspended, "from a suspended account")
    suspended.is_active = False
    suspended.save()
    client.force_login(user)
    services.follow_create(follower=user, followee=other_user)
    for url in (reverse("social:explore"), reverse("social:home"), "/search/?q=hidden"):
        page = html(client.get(url))
        assert "hidden by a moderator" not in page and "suspended account" not in page
    assert client.get(reverse("social:post", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("social:post", args=[gone.pk])).status_code == 404
    assert client.get(reverse("social:profile", args=["suspended"])).status_code == 404


# --- post page -------------------------------------------------------------------------


def test_post_page_with_comments_for_anonymous_and_logged_in(client, user, other_user):
    post = write(user, "a post with replies")
    services.comment_create(author=other_user, post=post, text="first reply")
    hidden = services.comment_create(author=other_user, post=post, text="rude reply")
    hidden.is_hidden = True
    hidden.save()
    page = html(client.get(reverse("social:post", args=[post.pk])))
    assert "first reply" in page and "rude reply" not in page
    assert "Log in</a> to reply" in page
    client.force_login(user)
    page = html(client.get(reverse("social:post", args=[post.pk])))
    assert 'id="comment-form"' in page and "Remove" in page  # the author may remove replies


def test_post_page_without_comments_and_unknown_posts(client, user):
    post = write(user, "quiet post")
    assert "No replies yet" in html(client.get(reverse("social:post", args=[post.pk])))
    assert client.get(reverse("social:post", args=[99999])).status_code == 404


def test_user_text_is_escaped_everywhere(client, user):
    write(user, "<script>alert(1)</script> <img src=x onerror=alert(2)> #tag")
    for url in (
        reverse("social:explore"),
        reverse("social:profile", args=["ana"]),
        "/search/?q=alert",
        reverse("social:hashtag", args=["tag"]),
    ):
        for extra in ({}, HTMX):
            page = html(client.get(url, **extra))
            assert "<script>alert(1)" not in page and "<img src=x" not in page, url
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url


# --- hashtags --------------------------------------------------------------------------


def test_hashtag_page_with_posts_and_empty(client, user):
    write(user, "loving #Jazz tonight")
    write(user, "no tag here")
    page = html(client.get(reverse("social:hashtag", args=["jazz"])))
    assert "loving" in page and "no tag here" not in page
    empty = html(client.get(reverse("social:hashtag", args=["unused"])))
    assert "No posts use #unused yet" in empty


# --- groups ----------------------------------------------------------------------------


def test_group_list_empty_and_with_groups(client, user):
    assert "No groups yet" in html(client.get(reverse("social:groups")))
    group_by(user, "Jazz lovers")
    group_by(user, "Secret club", private=True)
    page = html(client.get(reverse("social:groups")))
    assert "Jazz lovers" in page and "Secret club" in page and "Ask to join" in page
    client.force_login(user)
    page = html(client.get(reverse("social:groups")))
    assert "Start a group" in page and "Owner" in page


def test_group_page_public_for_anonymous_and_moderator_sees_requests(client, user, other_user):
    public = group_by(user, "Open house")
    write(user, "welcome all", group=public)
    page = html(client.get(reverse("social:group", args=[public.slug])))
    assert "welcome all" in page and "Log in" in page and 'id="compose"' not in page

    private = group_by(user, "Closed door", private=True)
    services.group_join(user=other_user, group=private)
    client.force_login(user)
    page = html(client.get(reverse("social:group", args=[private.slug])))
    assert "Requests to join" in page and "@ben" in page and "Approve" in page
    assert 'id="compose"' in page and "No posts in Closed door yet" in page
    client.force_login(other_user)
    page = html(client.get(reverse("social:group", args=[private.slug])))
    assert "Requests to join" not in page and "waiting for a moderator" in page


def test_group_members_page(client, user, other_user):
    group = group_by(user, "Crew")
    join(group, other_user)
    page = html(client.get(reverse("social:group_members", args=[group.slug])))
    assert "@ana" in page and "@ben" in page and "Owner" in page
    private = group_by(user, "Hidden crew", private=True)
    page = html(client.get(reverse("social:group_members", args=[private.slug])))
    assert "only members see who is in it" in page and "@ana</span>" not in page
    assert client.get(reverse("social:group", args=["no-such-group"])).status_code == 404


# --- notifications ---------------------------------------------------------------------


def test_notifications_need_login(client):
    response = client.get(reverse("social:notifications"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_notifications_list_links_to_targets_and_empty_state(client, user, other_user):
    client.force_login(user)
    assert "No notifications yet" in html(client.get(reverse("social:notifications")))
    post = write(user, "like me")
    services.like_create(user=other_user, post=post)
    services.follow_create(follower=other_user, followee=user)
    comment = services.comment_create(author=other_user, post=post, text="nice one")
    page = html(client.get(reverse("social:notifications")))
    assert "liked your post" in page and "followed you" in page and "3 unread" in page
    assert f'href="/posts/{post.pk}/#comment-{comment.pk}"' in page
    assert 'href="/@ben"' in page
    assert "is-unread" in page


def test_notifications_never_show_words_of_posts_one_cannot_see(client, user, other_user):
    """A mention inside a private group notifies the person mentioned even when they are not
    a member; the page must not show them the post's words."""
    group = group_by(other_user, "Private talk", private=True)
    write(other_user, "members only gossip about @ana", group=group)
    client.force_login(user)
    page = html(client.get(reverse("social:notifications")))
    assert "gossip" not in page


def test_unread_badge_fragment(client, user, other_user):
    client.force_login(user)
    services.follow_create(follower=other_user, followee=user)
    response = client.get(reverse("social:notifications_badge"), **HTMX)
    assert is_fragment(response)
    assert 'class="badge"' in html(response) and ">1<" in html(response)
    assert 'hx-trigger="every 30s' in html(response)
    client.logout()
    assert client.get(reverse("social:notifications_badge"), **HTMX).status_code == 286


def test_context_processor_counts_lazily(rf, user, other_user):
    from social.context_processors import notifications

    services.follow_create(follower=other_user, followee=user)
    request = rf.get("/")
    request.user = user
    count = notifications(request)["unread_notification_count"]
    assert callable(count) and count() == 1
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert notifications(request)["unread_notification_count"] == 0


# --- search ----------------------------------------------------------------------------


def test_search_page_plain_get_and_live_fragment(client, user, other_user):
    write(other_user, "bread baking at dawn #sourdough")
    group_by(other_user, "Bakers")
    page = html(client.get(reverse("social:search")))
    assert "Find posts, people, #hashtags and groups" in page
    assert 'hx-trigger="input changed delay:300ms, search"' in page

    response = client.get(reverse("social:search"), {"q": "bak"})
    assert response.status_code == 200 and "<html" in html(response)
    assert "Bakers" in html(response)

    response = client.get(reverse("social:search"), {"q": "baking"}, **HTMX)
    assert response.status_code == 200 and is_fragment(response)
    assert "bread baking" in html(response)

    people = html(client.get(reverse("social:search"), {"q": "@be"}, **HTMX))
    assert "@ben" in people
    tags = html(client.get(reverse("social:search"), {"q": "#sour"}, **HTMX))
    assert "#sourdough" in tags

    nothing = html(client.get(reverse("social:search"), {"q": "zzzz"}))
    assert "No posts match" in nothing


def collect_pages(client, url) -> list[int]:
    response = client.get(url)
    seen = [int(pk) for pk in re.findall(r'id="(?:post|group-join)-(\d+)"', html(response))]
    url = next_url(response)
    while url:
        response = client.get(url, **HTMX)
        seen += [int(pk) for pk in re.findall(r'id="(?:post|group-join)-(\d+)"', html(response))]
        url = next_url(response)
    return seen


@pytest.mark.usefixtures("chronological_home")
def test_home_pages_by_latest_activity_including_shares(client, user, other_user):
    services.follow_create(follower=user, followee=other_user)
    stranger = someone("stranger")
    old = [write(stranger, f"old {n}") for n in range(12)]
    own = [write(user, f"mine {n}") for n in range(12)]
    for post in old[:6]:  # shared now: these come first, newest share first
        services.share_create(user=other_user, post=post)
    client.force_login(user)
    seen = collect_pages(client, reverse("social:home"))
    expected = [p.pk for p in reversed(old[:6])] + [p.pk for p in reversed(own)]
    assert seen == expected


def test_group_list_pages_by_size_then_name(client, user):
    groups = [group_by(someone(), f"Group {n:02d}") for n in range(25)]
    big = groups[7]
    join(big, user)
    seen = collect_pages(client, reverse("social:groups"))
    assert seen[0] == big.pk
    assert seen[1:] == [g.pk for g in groups if g is not big]
