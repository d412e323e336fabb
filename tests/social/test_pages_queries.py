"""No N+1 queries: each list page costs the same number of queries with 3 items as with 25
(more than a page), and stays under a fixed maximum."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from social import services
from tests.social.test_pages_helpers import group_by, join, png_upload, someone, write

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """These tests make many people; Argon2 would make each one cost a quarter second."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


MAX_QUERIES = 20


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def varied_post(viewer, n, **kwargs):
    """A post by a new person, with a hashtag, a mention, an image now and then, liked and
    shared by the viewer and commented on: everything a card shows."""
    author = someone(f"author{n}")
    services.follow_create(follower=viewer, followee=author)
    post = write(
        author,
        f"jazz note {n} for @{viewer.username} #topic{n % 3}",
        image=png_upload() if n % 4 == 0 else None,
        **kwargs,
    )
    services.like_create(user=viewer, post=post)
    if n % 2:
        sharer = someone(f"sharer{n}")
        services.follow_create(follower=viewer, followee=sharer)
        services.share_create(user=sharer, post=post, comment=f"see {n}")
    services.comment_create(author=author, post=post, text="first!")
    return post


def grow_home(viewer, start, stop, context):
    for n in range(start, stop):
        varied_post(viewer, n)


def grow_group(viewer, start, stop, context):
    group = context.setdefault("group", group_by(someone("groupowner"), "Jazz hands"))
    if start == 0:
        join(group, viewer)
        services.group_join(user=someone("waiting"), group=group)
    for n in range(start, stop):
        author = someone(f"member{n}")
        join(group, author)
        post = write(author, f"group jazz {n} #band", group=group)
        services.like_create(user=viewer, post=post)


def grow_comments(viewer, start, stop, context):
    post = context.setdefault("post", write(someone("poster"), "comment on me #jazz"))
    for n in range(start, stop):
        services.comment_create(author=someone(f"commenter{n}"), post=post, text=f"reply {n}")


def grow_profile(viewer, start, stop, context):
    person = context.setdefault("person", someone("famous"))
    for n in range(start, stop):
        post = write(person, f"famous jazz {n} with @{viewer.username} #fame{n % 3}")
        services.like_create(user=viewer, post=post)
        services.follow_create(follower=someone(f"fan{n}"), followee=person)


def grow_notifications(viewer, start, stop, context):
    post = context.setdefault("post", write(viewer, "notice me"))
    for n in range(start, stop):
        fan = someone(f"notifier{n}")
        services.like_create(user=fan, post=post)
        services.comment_create(author=fan, post=post, text="hey")


def grow_groups(viewer, start, stop, context):
    for n in range(start, stop):
        group = group_by(someone(f"founder{n}"), f"Jazz group {n}", private=n % 2 == 0)
        if n % 3 == 0:
            services.group_join(user=viewer, group=group)


def grow_search(viewer, start, stop, context):
    for n in range(start, stop):
        varied_post(viewer, n)
        someone(f"jazzfan{n}")
        group_by(someone(f"jazzfounder{n}"), f"Jazz society {n}")


PAGES = {
    "home": (grow_home, lambda c: reverse("social:home")),
    "explore": (grow_home, lambda c: reverse("social:explore")),
    "hashtag": (grow_profile, lambda c: reverse("social:hashtag", args=["fame0"])),
    "profile": (grow_profile, lambda c: reverse("social:profile", args=["famous"])),
    "followers": (grow_profile, lambda c: reverse("social:followers", args=["famous"])),
    "post with comments": (grow_comments, lambda c: reverse("social:post", args=[c["post"].pk])),
    "group": (grow_group, lambda c: reverse("social:group", args=[c["group"].slug])),
    "group members": (
        grow_group,
        lambda c: reverse("social:group_members", args=[c["group"].slug]),
    ),
    "groups": (grow_groups, lambda c: reverse("social:groups")),
    "notifications": (grow_notifications, lambda c: reverse("social:notifications")),
    "search": (grow_search, lambda c: reverse("social:search") + "?q=jazz"),
}


@pytest.mark.usefixtures("chronological_home")
@pytest.mark.parametrize("page", list(PAGES))
def test_queries_do_not_grow_with_the_number_of_items(
    client, user, page, django_assert_max_num_queries
):
    grow, url_of = PAGES[page]
    context = {}
    client.force_login(user)
    grow(user, 0, 3, context)
    url = url_of(context)
    few = count_queries(client, url)
    grow(user, 3, 25, context)
    many = count_queries(client, url)
    assert many - few <= 1, f"{page}: {few} queries with 3 items, {many} with 25"
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(url)


@pytest.mark.parametrize("page", ["explore", "profile", "post with comments", "group"])
def test_anonymous_pages_are_bounded_too(client, user, page, django_assert_max_num_queries):
    grow, url_of = PAGES[page]
    context = {}
    grow(user, 0, 3, context)
    url = url_of(context)
    few = count_queries(client, url)
    grow(user, 3, 25, context)
    assert count_queries(client, url) - few <= 1
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(url)
