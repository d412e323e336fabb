"""The bots-only ideal arm: who is in it, and a feed ordered by true utility."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bots.ideal import IDEAL_ARM, in_ideal_arm, rank_ideal
from bots.models import BotProfile, PostTruth
from bots.seeding import ensure_topics
from bots.truth import post_mixes, topic_space
from events.models import Event, EventKind
from feeds.experiments import assign
from social import services
from tests.factories import UserFactory, sign_in_api

pytestmark = pytest.mark.django_db


def bot(username: str, taste: list[float]):
    user = UserFactory(username=username, is_bot=True)
    rates = dict.fromkeys(
        ["activity", "post_propensity", "session_length", "position_decay", "like_rate",
         "share_rate", "comment_rate", "follow_rate", "click_rate", "ad_click_rate"], 0.5,
    )  # fmt: skip
    BotProfile.objects.create(user=user, taste=taste, **rates)
    return user


def about(author, text: str, topics: dict[int, float], quality: float = 1.0):
    post = services.post_create(author=author, text=text)
    main = max(topics, key=topics.get)
    PostTruth.objects.create(post=post, topics=topics, main_topic=main, quality=quality)
    return post


def test_only_bots_and_only_their_share_are_in_the_ideal_arm(settings):
    settings.BOTS_IDEAL_SHARE = 0.0
    assert not any(in_ideal_arm(i) for i in range(1, 200))
    settings.BOTS_IDEAL_SHARE = 0.5
    chosen = [i for i in range(1, 401) if in_ideal_arm(i)]
    assert 140 < len(chosen) < 260
    assert chosen == [i for i in range(1, 401) if in_ideal_arm(i)]  # stable
    settings.BOTS_IDEAL_SHARE = 1.0
    human = UserFactory(username="human")
    robot = UserFactory(username="robot", is_bot=True)
    assert assign(human).arm != IDEAL_ARM
    assert assign(robot).arm == IDEAL_ARM
    robot.personalised_feed = False
    assert assign(robot).arm == "opted-out"  # the person's own switch comes first


def test_the_ideal_feed_is_ordered_by_true_utility(settings, api_client):
    settings.BOTS_IDEAL_SHARE = 1.0
    topics = ensure_topics(20)
    football, cooking = topics[0], topics[1]
    viewer = bot("viewer", [0.8, 0.2] + [0.0] * 18)
    writer = UserFactory(username="writer")
    best = about(writer, f"Derby day #{football.hashtags[0]}", {0: 1.0}, quality=2.0)
    good = about(writer, f"Clean sheet #{football.hashtags[0]}", {0: 1.0})
    mixed = about(writer, f"Pies #{cooking.hashtags[0]}", {1: 0.5, 0: 0.5})
    side = about(writer, f"Soup #{cooking.hashtags[0]}", {1: 1.0})
    about(writer, "Nothing for the viewer", {5: 1.0})  # a topic it has no taste for
    person_post = services.post_create(author=writer, text=f"Ours #{football.hashtags[1]}")
    about(viewer, f"My own #{football.hashtags[0]}", {0: 1.0})

    ranked = rank_ideal(viewer)
    # utility: best 2.0, good 1.0, the person's post (read by its hashtag) 1.0, mixed 0.625,
    # side 0.25; ties by newest first; the chess post is worth nothing to it; its own is out.
    assert [c.id for c in ranked.items] == [best.pk, person_post.pk, good.pk, mixed.pk, side.pk]
    assert ranked.items[0].reason == f"what you truly like: #{football.hashtags[0]}"

    sign_in_api(api_client, viewer)
    page = api_client.get("/api/timeline/home/").json()
    assert [item["id"] for item in page["results"]][:2] == [best.pk, person_post.pk]
    assert {item["arm"] for item in page["results"]} == {IDEAL_ARM}
    assert all(item["model_version"] is None for item in page["results"])
    # What it was shown recently is not ranked again, as in every ranked arm.
    Event.objects.create(user=viewer, kind=EventKind.IMPRESSION, post_id=best.pk, arm=IDEAL_ARM,
                         created_at=best.created_at)  # fmt: skip
    assert best.pk not in [c.id for c in rank_ideal(viewer).items]


def test_a_bot_without_a_profile_gets_an_empty_ideal_feed():
    ensure_topics(20)
    assert rank_ideal(UserFactory(username="ghost", is_bot=True)).items == []


def test_recorded_truths_are_read_once_a_process_and_a_post_without_one_every_time():
    """The ideal arm reads the truth of every candidate on every page: a recorded truth never
    changes, so it is read once; a post without one is read from its hashtags each time, so
    a truth recorded later is seen."""
    topics = ensure_topics(20)
    writer = UserFactory(username="writer")
    recorded = about(writer, f"Derby day #{topics[0].hashtags[0]}", {0: 1.0}, quality=2.0)
    later = services.post_create(author=writer, text=f"Soup #{topics[1].hashtags[0]}")
    space = topic_space()
    assert post_mixes([recorded.pk, later.pk], space) == {
        recorded.pk: ({0: 1.0}, 2.0),
        later.pk: ({1: 1.0}, 1.0),
    }
    PostTruth.objects.create(post=later, topics={1: 0.5, 2: 0.5}, main_topic=1, quality=0.5)
    with CaptureQueriesContext(connection) as reads:
        assert post_mixes([recorded.pk, later.pk], space)[later.pk] == ({1: 0.5, 2: 0.5}, 0.5)
    assert len(reads.captured_queries) == 1  # the later post's truth; the first one is held
    with CaptureQueriesContext(connection) as reads:
        post_mixes([recorded.pk, later.pk], space)
    assert not reads.captured_queries
