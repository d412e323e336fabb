"""A person's statuses list their boosts as Mastodon does (a status whose `reblog` is the
original), `exclude_reblogs` leaves them out, the list pages by the Link header across posts
and boosts, and reactions through this API record the surface `api`."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event, EventKind
from social import services as social
from social.models import Post, Share
from tests.factories import UserFactory


@pytest.fixture
def ana(user, client_with_scope):
    return client_with_scope(user, "read write follow push")


def links(answer) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', answer["Link"])}


@pytest.fixture
def timeline(user, other_user):
    """ben writes, shares two of ana's posts (one with a comment), writes again; a minute
    apart each, oldest first."""
    start = timezone.now() - timedelta(hours=1)
    first = social.post_create(author=other_user, text="ben one")
    plain = social.post_create(author=user, text="ana plain")
    commented = social.post_create(author=user, text="ana commented")
    social.share_create(user=other_user, post=plain)
    social.share_create(user=other_user, post=commented, comment="worth it")
    last = social.post_create(author=other_user, text="ben two")
    order = [("post", first), ("share", plain), ("share", commented), ("post", last)]
    for minute, (kind, post) in enumerate(order):
        moment = start + timedelta(minutes=minute)
        if kind == "post":
            Post.objects.filter(pk=post.pk).update(created_at=moment)
        else:
            Share.objects.filter(post=post).update(created_at=moment)
    shares = {share.post_id: share.pk for share in Share.objects.all()}
    return {
        "first": first,
        "last": last,
        "plain": plain,
        "commented": commented,
        "ids": [str(last.pk), f"s{shares[commented.pk]}", f"s{shares[plain.pk]}", str(first.pk)],
    }


def test_account_statuses_list_reblogs_as_mastodon_does(ana, other_user, timeline):
    statuses = ana.get(f"/api/v1/accounts/{other_user.pk}/statuses").json()
    assert [s["id"] for s in statuses] == timeline["ids"]
    boost = statuses[1]
    assert boost["account"]["username"] == "ben"
    assert boost["reblog"]["id"] == str(timeline["commented"].pk)
    assert boost["reblog"]["account"]["username"] == "ana"
    assert boost["reblog"]["text"] == "ana commented" and boost["reblog"]["reblogs_count"] == 1
    assert boost["text"] == "worth it" and "worth it" in boost["content"]
    assert statuses[2]["reblog"]["id"] == str(timeline["plain"].pk)
    assert statuses[2]["content"] == ""
    assert statuses[0]["reblog"] is None and statuses[3]["reblog"] is None


def test_exclude_reblogs_leaves_the_boosts_out(ana, other_user, timeline):
    for flag in ("true", "1"):
        statuses = ana.get(
            f"/api/v1/accounts/{other_user.pk}/statuses", {"exclude_reblogs": flag}
        ).json()
        assert [s["id"] for s in statuses] == [str(timeline["last"].pk), str(timeline["first"].pk)]
    bad = ana.get(f"/api/v1/accounts/{other_user.pk}/statuses", {"exclude_reblogs": "perhaps"})
    assert bad.status_code == 422  # Mastodon answers a bad parameter so


def test_the_list_pages_across_posts_and_boosts(ana, other_user, timeline):
    url = f"/api/v1/accounts/{other_user.pk}/statuses"
    first = ana.get(url, {"limit": 2})
    assert [s["id"] for s in first.json()] == timeline["ids"][:2]
    second = ana.get(links(first)["next"])
    assert [s["id"] for s in second.json()] == timeline["ids"][2:]
    newer = ana.get(links(second)["prev"])
    assert [s["id"] for s in newer.json()] == timeline["ids"][:2]
    # A client that takes max_id from the last status' id, boost or post, gets the same.
    by_boost = ana.get(url, {"max_id": timeline["ids"][1], "limit": 2}).json()
    assert [s["id"] for s in by_boost] == timeline["ids"][2:]
    since = ana.get(url, {"since_id": timeline["ids"][2]}).json()
    assert [s["id"] for s in since] == timeline["ids"][:2]
    assert ana.get(url, {"max_id": "s999999"}).status_code == 422
    assert ana.get(url, {"pinned": "true"}).json() == []


def test_a_boost_of_a_post_the_viewer_may_not_see_is_left_out(
    client_with_scope, user, other_user, timeline
):
    carl = UserFactory(username="carl")
    social.block_create(blocker=user, blocked=carl)  # ana's posts are hidden from carl
    statuses = client_with_scope(carl, "read").get(f"/api/v1/accounts/{other_user.pk}/statuses")
    assert [s["id"] for s in statuses.json()] == [
        str(timeline["last"].pk),
        str(timeline["first"].pk),
    ]


def test_reactions_through_the_mastodon_api_record_the_surface_api(ana, user, other_user):
    post = social.post_create(author=other_user, text="hello")
    for action in ("favourite", "unfavourite", "reblog", "unreblog"):
        assert ana.post(f"/api/v1/statuses/{post.pk}/{action}").status_code == 200
    ana.post("/api/v1/statuses", {"status": "a reply", "in_reply_to_id": str(post.pk)})
    kinds = [
        EventKind.LIKE,
        EventKind.UNLIKE,
        EventKind.SHARE,
        EventKind.UNSHARE,
        EventKind.COMMENT,
    ]
    surfaces = Event.objects.filter(user=user, kind__in=kinds).values_list("surface", flat=True)
    assert list(surfaces) == ["api"] * 5
