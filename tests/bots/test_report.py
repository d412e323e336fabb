"""The loop report against numbers worked out by hand on a tiny world."""

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from ads.models import LedgerEntry
from analytics import metrics
from bots.models import BotProfile, PostTruth
from bots.report import build_report, verdicts
from bots.seeding import ensure_topics
from events.models import Event, EventKind
from social import services
from tests.factories import CampaignFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
START, END = T0, T0 + timedelta(hours=1)
RATES = dict.fromkeys(
    ["activity", "post_propensity", "session_length", "position_decay", "like_rate",
     "share_rate", "comment_rate", "follow_rate", "click_rate", "ad_click_rate"], 0.5,
)  # fmt: skip


@pytest.fixture
def world():
    """Bots who all like topic 0 only; four posts by two people on topics 0, 1, 0, 2."""
    ensure_topics(20)
    one, two = UserFactory(username="one"), UserFactory(username="two")
    posts = {}
    for name, author, topic in (("p1", one, 0), ("p2", one, 1), ("p3", two, 0), ("p4", two, 2)):
        post = services.post_create(author=author, text=name)
        PostTruth.objects.create(post=post, topics={topic: 1.0}, main_topic=topic, quality=1.0)
        posts[name] = post.pk
    bots = {}
    for name in ("c1", "c2", "q1", "q2", "i1"):
        user = UserFactory(username=name, is_bot=True)
        BotProfile.objects.create(user=user, taste=[1.0] + [0.0] * 19, **RATES)
        bots[name] = user
    minute = iter(range(1, 59))

    def log(bot, kind, name, **extra):
        at = T0 + timedelta(minutes=next(minute))
        Event.objects.create(user=bots[bot], kind=kind, post_id=posts[name], created_at=at, **extra)

    def shown(bot, arm, *names):
        for name in names:
            log(bot, EventKind.IMPRESSION, name, arm=arm, surface="home")

    def did(bot, kind, *names):
        for name in names:
            extra = {"dwell_ms": 3000, "surface": "home"} if kind == EventKind.DWELL else {}
            log(bot, kind, name, **extra)

    shown("c1", "chronological", "p1", "p2", "p3", "p4")
    did("c1", EventKind.DWELL, "p2")
    did("c1", EventKind.LIKE, "p2")
    shown("c2", "chronological", "p1", "p2")
    did("c2", EventKind.DWELL, "p1", "p2")
    shown("q1", "personalised", "p1", "p3")
    did("q1", EventKind.DWELL, "p1", "p3")
    did("q1", EventKind.LIKE, "p1", "p3")
    shown("q2", "personalised", "p1", "p3", "p4")
    did("q2", EventKind.DWELL, "p3")
    did("q2", EventKind.LIKE, "p3")
    shown("i1", "ideal", "p1", "p3")
    did("i1", EventKind.DWELL, "p1", "p3")
    did("i1", EventKind.LIKE, "p1")
    Event.objects.create(user=bots["c1"], kind=EventKind.SIGNUP, created_at=T0)
    BotProfile.objects.filter(user=bots["c2"]).update(churned_at=T0 + timedelta(minutes=50))
    return bots


def test_engagement_and_lifts(world):
    report = build_report(start=START, end=END, windows=2)
    arms = report["arms"]
    assert (arms["chronological"]["people"], arms["chronological"]["impressions"],
            arms["chronological"]["likes"]) == (2, 6, 1)  # fmt: skip
    assert (arms["personalised"]["people"], arms["personalised"]["impressions"],
            arms["personalised"]["likes"]) == (2, 5, 3)  # fmt: skip
    lift = report["lifts"]["personalised"]["likes_per_impression"]
    expected = metrics.rate_lift(3, 5, 1, 6)
    assert (lift["lift"], lift["low"], lift["high"]) == pytest.approx(
        (expected.lift, expected.low, expected.high)
    )
    assert lift["verdict"] == metrics.lift_verdict(
        "personalised", "chronological", "likes per impression", expected
    )
    first, second = report["windows"]
    assert first["signups"] == 1 and second["churned"] == 1
    assert first["active_bots"] + second["active_bots"] >= 5
    assert report["models"] == []


def test_system_effects_by_hand(world):
    effects = build_report(start=START, end=END)["effects"]
    chronological, personalised, ideal = (
        effects["chronological"],
        effects["personalised"],
        effects["ideal"],
    )
    # Exposure across the two authors: chronological 4 and 2, personalised 2 and 3, ideal 1, 1.
    assert chronological["exposure_gini"] == pytest.approx(metrics.gini([4, 2]))
    assert personalised["exposure_gini"] == pytest.approx(metrics.gini([2, 3]))
    assert ideal["exposure_gini"] == 0.0
    # Consumed (read) sets: {p2} and {p1, p2}; {p1, p3} and {p3}.
    assert chronological["homogenisation"] == pytest.approx(0.5)
    assert personalised["homogenisation"] == pytest.approx(0.5)
    assert chronological["homogenisation_vs_ideal"] == pytest.approx(0.5)  # ideal: one bot
    # Topics shown: c1 saw topics 0, 1, 0, 2 (1.5 bits), c2 topics 0, 1 (1 bit).
    assert chronological["topic_entropy"] == pytest.approx(1.25)
    assert personalised["topic_entropy"] == pytest.approx((0 + metrics.entropy([2, 1])) / 2)
    # Utility of what was read, for bots who like topic 0 only.
    assert chronological["utility"] == pytest.approx(0.25)
    assert personalised["utility"] == pytest.approx(1.0)
    assert chronological["utility_vs_ideal"] == pytest.approx(0.25)
    assert (chronological["bots"], chronological["sampled"]) == (2, 2)


def test_the_command_prints_tables_or_json(world):
    since, until = START.isoformat(), END.isoformat()
    out = StringIO()
    call_command("loop_report", "--since", since, "--until", until, "--json", stdout=out)
    assert json.loads(out.getvalue())["arms"]["ideal"]["likes"] == 1
    out = StringIO()
    call_command("loop_report", "--since", since, "--until", until, stdout=out)
    text = out.getvalue()
    for heading in ("In short", "Engagement of the bots by arm", "Arms against the control",
                    "Feed model versions", "What the loop does to the whole"):  # fmt: skip
        assert heading in text
    assert "personalised beats chronological" in text or "No clear difference" in text
    with pytest.raises(CommandError, match="time zone"):
        call_command("loop_report", "--since", "2026-03-02 09:00")
    with pytest.raises(CommandError, match="empty"):
        call_command("loop_report", "--since", until, "--until", since)


def test_sponsored_posts_by_arm(world):
    campaign = CampaignFactory()
    for bot, clicked in (("q1", True), ("q1", False), ("c1", False)):
        at = T0 + timedelta(minutes=59)
        Event.objects.create(
            user=world[bot], kind=EventKind.AD_IMPRESSION, campaign_id=campaign.pk, created_at=at
        )
        LedgerEntry.objects.create(
            campaign=campaign, kind="impression", amount_micros=2_000, person=world[bot],
            created_at=at,
        )  # fmt: skip
        if clicked:
            Event.objects.create(
                user=world[bot], kind=EventKind.AD_CLICK, campaign_id=campaign.pk, created_at=at
            )
            LedgerEntry.objects.create(
                campaign=campaign, kind="click", amount_micros=500_000, person=world[bot],
                created_at=at,
            )  # fmt: skip

    ads = build_report(start=START, end=END, windows=1, sample=10)["ads"]

    # q1 (personalised) saw 2 of the 5 items shown to personalised bots as ads, clicked one
    assert ads["personalised"]["ad_impressions"] == 2 and ads["personalised"]["ad_clicks"] == 1
    assert ads["personalised"]["ad_click_rate"] == pytest.approx(0.5)
    assert ads["personalised"]["ad_load"] == pytest.approx(2 / (5 + 2))
    assert ads["personalised"]["revenue"] == "0.504"
    assert ads["chronological"]["revenue"] == "0.002"
    assert ads["ideal"]["ad_impressions"] == 0 and ads["ideal"]["revenue"] == "0.00"
    out = StringIO()
    call_command("loop_report", "--since", START.isoformat(), "--until", END.isoformat(),
                 stdout=out)  # fmt: skip
    assert "Sponsored posts by arm" in out.getvalue()


@pytest.mark.parametrize("model", ["topic", "botprofile", "posttruth", "modeltruthscore"])
def test_the_truth_is_readable_by_staff_in_the_admin(
    world, model, client, staff_user, django_assert_max_num_queries
):
    client.force_login(staff_user)
    with django_assert_max_num_queries(12):
        page = client.get(f"/admin/bots/{model}/")
    assert page.status_code == 200
    assert client.get(f"/admin/bots/{model}/add/").status_code == 403
    client.force_login(UserFactory(username="nosy"))
    assert client.get(f"/admin/bots/{model}/").status_code == 302  # to the admin login


def test_true_utility_between_arms_with_its_interval(world):
    report = build_report(start=START, end=END)
    row = report["utility_differences"]["personalised vs chronological"]
    # Per bot, personalised read only topic 0 (1.0 and 1.0); chronological 0.0 and 0.5.
    margin = metrics.Z_95 * 0.25  # the chronological pair's standard error: sqrt(0.125 / 2)
    assert row["difference"] == pytest.approx(0.75)
    assert (row["low"], row["high"]) == pytest.approx((0.75 - margin, 0.75 + margin))
    assert "ideal vs chronological" not in report["utility_differences"]  # too few ideal bots
    assert (
        "personalised consumed more true utility than chronological: +0.750 per post "
        f"(95% interval {0.75 - margin:+.3f} to {0.75 + margin:+.3f}, 4 bots)."
    ) in report["verdicts"]
    out = StringIO()
    call_command(
        "loop_report", "--since", START.isoformat(), "--until", END.isoformat(), stdout=out
    )
    assert "True utility consumed per post, between arms" in out.getvalue()


def test_the_learned_arm_is_compared_with_the_personalised_one_directly(world):
    learned = UserFactory(username="l1", is_bot=True)
    BotProfile.objects.create(user=learned, taste=[1.0] + [0.0] * 19, **RATES)
    p1, p3 = (PostTruth.objects.get(post__text=name).post_id for name in ("p1", "p3"))
    at = T0 + timedelta(minutes=55)
    for n, (kind, post) in enumerate(
        [(EventKind.IMPRESSION, p1), (EventKind.IMPRESSION, p3), (EventKind.LIKE, p1),
         (EventKind.LIKE, p3)]
    ):  # fmt: skip
        extra = {"arm": "personalised-learned", "surface": "home"}
        Event.objects.create(user=learned, kind=kind, post_id=post,
                             created_at=at + timedelta(seconds=n), **extra)  # fmt: skip
    report = build_report(start=START, end=END)
    lift = report["lifts"]["personalised-learned vs personalised"]["likes_per_impression"]
    expected = metrics.rate_lift(2, 2, 3, 5)  # 2 likes of 2 shown, against 3 of 5
    assert (lift["lift"], lift["low"], lift["high"]) == pytest.approx(
        (expected.lift, expected.low, expected.high)
    )
    verdict = metrics.lift_verdict(
        "personalised-learned", "personalised", "likes per impression", expected
    )
    assert lift["verdict"] == verdict and verdict in report["verdicts"]
    assert "personalised-learned" in report["lifts"]  # and against the control, as every arm
    out = StringIO()
    call_command(
        "loop_report", "--since", START.isoformat(), "--until", END.isoformat(), stdout=out
    )
    assert "personalised-learned vs personalised" in out.getvalue()


def test_how_soon_new_posts_reached_feeds_through_the_model(world):
    """Ages worked out by hand: a post's first serving where the model found it counts,
    servings by other sources and before it do not."""
    from feeds.models import ServedCandidate
    from feeds.ranker_features import FEATURES
    from social.models import Post

    def features(model_score):
        row = np.zeros(len(FEATURES), dtype=np.float32)
        row[FEATURES.index("model")] = model_score
        return row.tobytes()

    viewer = world["q1"]
    made = {}
    for name, minute in (("early", 5), ("late", 30), ("never", 40)):
        post = services.post_create(author=viewer, text=name)
        Post.objects.filter(pk=post.pk).update(created_at=T0 + timedelta(minutes=minute))
        made[name] = post.pk
    for name, minute, score in (
        ("early", 7, 0.0),  # shown by another source first: not the model
        ("early", 9, 0.8),  # 4 minutes old
        ("early", 20, 0.9),  # later servings do not count
        ("late", 40, 0.5),  # 10 minutes old
        ("never", 45, 0.0),
    ):
        ServedCandidate.objects.create(
            user=viewer,
            post_id=made[name],
            served_at=T0 + timedelta(minutes=minute),
            arm="personalised",
            position=0,
            features=features(score),
        )
    reach = build_report(start=START, end=END, windows=1, sample=10)["fresh_reach"]
    assert reach["posts"] == 3  # made in the hour (the world's four are made now)
    assert reach["model_placed"] == 2
    assert reach["median_seconds"] == pytest.approx(7 * 60)
    assert reach["p90_seconds"] == pytest.approx(9.4 * 60)


def test_recall_on_the_first_posts_is_said_beside_the_whole_catalogues():
    def version(number, whole, first_posts, new_posts):
        return {
            "version": number, "learned_from_this_range": True, "truth_recall": whole,
            "truth_recall_first_posts": first_posts, "truth_recall_new_posts": new_posts,
        }  # fmt: skip

    said = verdicts(
        {"models": [version(1, 0.30, 0.30, None), version(9, 0.25, 0.41, 0.12)],
         "lifts": {}, "effects": {}}
    )  # fmt: skip
    assert (
        "Against the truth, v9 knows the bots not better than v1: recall@20 0.300 -> 0.250." in said
    )
    assert (
        "On the posts the first version knew (a catalogue that does not grow), v9 knows the bots "
        "better than v1: recall@20 0.300 -> 0.410; among the posts made since, v9: 0.120."
    ) in said
