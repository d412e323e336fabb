"""The prepared statement finds exactly the candidates the ORM's queries find, with the same
facts about each: every source, the visibility rule (hidden, suspended, blocks either way,
private groups), mutes, posts seen, shares, trends and the hashtags the person liked."""

import math
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from events.models import Event, EventKind
from feeds.candidate_pool import orm_pool, statement_pool
from feeds.models import PostAudience, TopicEngagement
from social import services
from social.models import Hashtag, Post
from tests.feeds.home_helpers import person, trend, write
from tests.social.helpers import add_member, group_of

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the statement is PostgreSQL's"),
]


def world():
    ana = person("ana", interests=["jazz", "#Soup"])
    friends = [person(f"friend{n}") for n in range(4)]
    for friend in friends:
        services.follow_create(follower=ana, followee=friend)
    club = group_of(friends[0], "Club")
    add_member(club, ana)
    secret = group_of(person("owner"), "Secret", private=True)
    insider = person("insider")
    add_member(secret, insider)
    posts = {
        "friend": write(friends[1], "hello #jazz"),
        "old friend": write(friends[1], "long ago", age=timedelta(days=20)),
        "club": write(friends[0], "in the club #soup", group=club),
        "secret": write(insider, "inside #jazz", group=secret),
        "mine": write(ana, "my own"),
        "stranger": write(person("stranger"), "fresh #jazz #soup"),
        "hidden": write(friends[2], "hidden"),
        "blocker": write(friends[3], "blocks ana"),
        "blocked": write(person("blocked"), "ana blocked them"),
        "muted": write(person("noisy"), "muted #jazz"),
        "seen": write(friends[1], "already seen"),
        "popular": write(person("star"), "a hit #soup", age=timedelta(days=3)),
        "model": write(person("deep"), "the model likes this", age=timedelta(days=30)),
        "shared": write(person("far"), "worth sharing", age=timedelta(days=10)),
        "trend": write(person("loud"), "everyone talks", age=timedelta(days=9)),
    }
    Post.objects.filter(pk=posts["hidden"].pk).update(is_hidden=True)
    services.block_create(blocker=friends[3], blocked=ana)
    services.block_create(blocker=ana, blocked=posts["blocked"].author)
    services.mute_create(muter=ana, muted=posts["muted"].author)
    services.share_create(user=friends[2], post=posts["shared"], comment="look")
    services.share_create(user=posts["muted"].author, post=posts["trend"])  # a muted sharer
    services.like_create(user=person("fan"), post=posts["popular"])
    services.like_create(user=ana, post=posts["friend"])
    services.like_create(user=ana, post=posts["stranger"])
    Event.objects.create(
        user=ana, kind=EventKind.IMPRESSION, post_id=posts["seen"].pk, created_at=timezone.now()
    )
    trend(posts["trend"], 1)
    trend(posts["secret"], 2)
    Post.objects.filter(pk=posts["friend"].pk).update(impression_count=7, read_ms=4000)
    PostAudience.objects.create(post=posts["friend"], expected_ms=3000)
    # Ana read #jazz posts for 6 s a view over 10 views, and scrolled past 5 #soup posts.
    for name, views, read_ms in (("jazz", 10, 60_000), ("soup", 5, 0)):
        TopicEngagement.objects.create(
            user=ana, hashtag=Hashtag.objects.get(name=name), views=views, read_ms=read_ms
        )
    return ana, posts


def comparable(pool):
    rows = sorted(
        (tuple(row[key] for key in sorted(row)) for row in pool.rows), key=lambda r: repr(r)
    )
    return (
        rows,
        pool.hashtags,
        pool.shared,
        pool.trending,
        pool.liked_tag,
        pool.liked_share,
        {key: round(value, 9) for key, value in pool.topic_read_time.items()},
        {key: round(value, 9) for key, value in pool.topic_views.items()},
        pool.expected_read_ms,
    )


@pytest.mark.parametrize("cold", [False, True])
def test_the_statement_and_the_orm_find_the_same_pool(cold):
    ana, posts = world()
    now = timezone.now()
    model_ids = [] if cold else [posts["model"].pk, posts["secret"].pk, posts["hidden"].pk]
    ours = statement_pool(ana, now, model_ids=model_ids, cold=cold)
    yardstick = orm_pool(ana, now, model_ids=model_ids, cold=cold)
    assert comparable(ours) == comparable(yardstick)
    found = {row["id"] for row in ours.rows}
    for name in ("friend", "club", "mine", "stranger", "shared", "trend"):
        assert posts[name].pk in found, name
    for name in ("secret", "hidden", "blocker", "blocked", "muted", "seen", "old friend"):
        assert posts[name].pk not in found, name

    assert (posts["model"].pk in found) is not cold
    assert (posts["popular"].pk in found) is cold or posts["popular"].pk in found
    assert ours.shared[posts["shared"].pk]["comment"] == "look"
    shown = {row["id"]: row["impression_count"] for row in ours.rows}
    assert shown[posts["friend"].pk] == 7 and shown[posts["stranger"].pk] == 0
    read = {row["id"]: row["read_ms"] for row in ours.rows}
    assert read[posts["friend"].pk] == 4000 and read[posts["stranger"].pk] == 0
    # Seconds per view, smoothed to 2 s in 5 views: #jazz (60 + 10) / 15, #soup 10 / 10.
    assert ours.topic_read_time[posts["friend"].pk] == pytest.approx(70 / 15)
    assert ours.topic_read_time[posts["stranger"].pk] == pytest.approx((70 / 15 + 1.0) / 2)
    assert ours.topic_read_time[posts["club"].pk] == pytest.approx(1.0)
    assert ours.topic_views[posts["stranger"].pk] == pytest.approx(math.log1p(15))
    assert posts["mine"].pk not in ours.topic_read_time  # no hashtags: the ranker's prior
    assert ours.expected_read_ms == {posts["friend"].pk: 3000}
    assert posts["trend"].pk not in ours.shared  # its only sharer is muted
    if not cold:
        assert ours.liked_tag[posts["stranger"].pk] == "jazz"
        # Ana liked two posts with #jazz and one with #soup: #jazz is her favourite.
        assert ours.liked_share[posts["friend"].pk] == 1.0  # all about #jazz
        assert ours.liked_share[posts["stranger"].pk] == 0.75  # half #jazz, half #soup
        assert ours.liked_share[posts["club"].pk] == 0.5  # all about #soup


def test_the_statement_is_prepared_on_the_server_once_per_connection():
    """Planning it was most of its cost; Django's connections prepare nothing unless told."""
    ana, posts = world()

    def prepared_pools():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                ["%WITH seen AS MATERIALIZED%"],
            )
            return cursor.fetchone()[0]

    first = statement_pool(ana, timezone.now(), model_ids=[posts["model"].pk], cold=False)
    assert prepared_pools() == 1
    again = statement_pool(ana, timezone.now(), model_ids=[posts["model"].pk], cold=False)
    assert prepared_pools() == 1
    assert comparable(again) == comparable(first)
