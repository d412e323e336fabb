"""Engagement by arm from the event log, against numbers worked out by hand."""

from datetime import UTC, datetime, timedelta

import pytest

from analytics.engagement import FOR_YOU_FIELDS, NO_ARM, ArmEngagement, engagement_by_arm
from events.models import Event, EventKind
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
START, END = T0, T0 + timedelta(days=1)
# The world's reactions name no surface (as before reactions recorded it): where they were
# made is unknown, so are the For-you counts.
UNKNOWN = dict.fromkeys(FOR_YOU_FIELDS)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def log(user, kind, minutes, *, arm="", dwell_ms=None):
    Event.objects.create(
        user=user, kind=kind, arm=arm, dwell_ms=dwell_ms, post_id=1, created_at=at(minutes)
    )


@pytest.fixture
def world():
    ana, ben, cy, dee = (UserFactory(username=name) for name in ("ana", "ben", "cy", "dee"))
    # ana: chronological. Two sessions: a gap of 31 minutes splits them. One event before the
    # window and one after it are not counted.
    log(ana, EventKind.IMPRESSION, -1, arm="chronological")
    log(ana, EventKind.IMPRESSION, 0, arm="chronological")
    log(ana, EventKind.IMPRESSION, 1, arm="chronological")
    log(ana, EventKind.DWELL, 2, dwell_ms=1500)
    log(ana, EventKind.LIKE, 3)
    log(ana, EventKind.IMPRESSION, 34, arm="chronological")
    log(ana, EventKind.SHARE, 35)
    log(ana, EventKind.LIKE, 24 * 60)  # exactly at the end: outside [start, end)
    # ben: two personalised impressions and one chronological: personalised by majority.
    # One session: the post comes exactly 30 minutes after the click (a gap must be longer).
    log(ben, EventKind.IMPRESSION, 0, arm="personalised")
    log(ben, EventKind.IMPRESSION, 10, arm="personalised")
    log(ben, EventKind.IMPRESSION, 20, arm="chronological")
    log(ben, EventKind.COMMENT, 21)
    log(ben, EventKind.CLICK, 22)
    log(ben, EventKind.POST, 52)
    # cy: one diverse and one personalised impression, a tie: the latest (personalised) wins.
    log(cy, EventKind.IMPRESSION, 5, arm="diverse")
    log(cy, EventKind.IMPRESSION, 6, arm="personalised")
    log(cy, EventKind.AD_IMPRESSION, 6, arm="personalised")
    log(cy, EventKind.AD_CLICK, 7)
    # dee: no impression at all, two posts two hours apart: no arm, two sessions.
    log(dee, EventKind.POST, 0)
    log(dee, EventKind.POST, 120)
    # Anonymous events belong to nobody's engagement.
    Event.objects.create(kind=EventKind.SEARCH, created_at=at(1))
    # Bookkeeping is nobody's activity: it would join ana's two sessions, and make eve active.
    log(ana, EventKind.AD_SLOTS, 18)
    log(UserFactory(username="eve"), EventKind.AD_SLOTS, 5)
    return {"ana": ana, "ben": ben, "cy": cy, "dee": dee}


def test_engagement_by_arm_matches_hand_counts(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        result = engagement_by_arm(start=START, end=END)
    assert set(result) == {"chronological", "personalised", NO_ARM}
    assert result["chronological"] == ArmEngagement(
        arm="chronological",
        people=1,
        sessions=2,
        impressions=3,
        likes=1,
        shares=1,
        dwell_ms=1500,
        **UNKNOWN,
    )
    assert result["personalised"] == ArmEngagement(
        arm="personalised",
        people=2,
        sessions=2,
        impressions=5,
        comments=1,
        clicks=1,
        posts=1,
        ad_impressions=1,
        ad_clicks=1,
        **UNKNOWN,
    )
    assert result[NO_ARM] == ArmEngagement(arm=NO_ARM, people=1, sessions=2, posts=2, **UNKNOWN)


def test_rates_and_totals(world):
    result = engagement_by_arm(start=START, end=END)
    chronological = result["chronological"]
    assert chronological.likes_per_impression == pytest.approx(1 / 3)
    assert chronological.shares_per_impression == pytest.approx(1 / 3)
    assert chronological.dwell_ms_per_session == pytest.approx(750)
    assert chronological.dwell_ms_per_impression == pytest.approx(500)
    assert result["personalised"].ad_click_rate == 1.0
    assert result["personalised"].clicks_per_impression == pytest.approx(1 / 5)
    assert result[NO_ARM].likes_per_impression == 0.0  # no impressions: no division by zero
    total = ArmEngagement.total(result.values())
    assert (total.arm, total.people, total.sessions, total.impressions, total.posts) == (
        "all",
        4,
        6,
        8,
        3,
    )
    figures = chronological.as_dict()
    assert figures["likes"] == 1
    assert figures["likes_per_impression"] == pytest.approx(1 / 3)


def test_restricted_to_some_people_by_list_or_queryset(world):
    from accounts.models import User

    chosen = [world["ana"].pk, world["dee"].pk]
    by_list = engagement_by_arm(start=START, end=END, user_ids=chosen)
    by_queryset = engagement_by_arm(
        start=START, end=END, user_ids=User.objects.filter(pk__in=chosen)
    )
    assert by_list == by_queryset
    assert set(by_list) == {"chronological", NO_ARM}
    assert engagement_by_arm(start=START, end=END, user_ids=[]) == {}


def test_a_narrow_window_sees_only_its_events(world):
    # [30 min, 60 min): ana's second session (impression, share), ben's post, nothing else.
    result = engagement_by_arm(start=at(30), end=at(60))
    assert result["chronological"].impressions == 1
    assert result["chronological"].shares == 1
    assert result["chronological"].sessions == 1
    # ben has no impression in this window, so his post counts under no arm.
    assert result[NO_ARM] == ArmEngagement(arm=NO_ARM, people=1, sessions=1, posts=1, **UNKNOWN)


def test_arms_of_people_follow_the_same_rule(world):
    from analytics.engagement import arms_of_people

    arms = arms_of_people(start=START, end=END)
    assert arms == {
        world["ana"].pk: "chronological",
        world["ben"].pk: "personalised",
        world["cy"].pk: "personalised",
    }  # dee saw nothing with an arm
    assert arms_of_people(start=START, end=END, user_ids=[world["ben"].pk]) == {
        world["ben"].pk: "personalised"
    }


def test_impressions_on_following_count_for_the_persons_arm(world):
    """Following's impressions carry no arm (no arm chose them) yet count, as
    `following_impressions`, for the arm the person's For you impressions give them."""
    for minute in (40, 41):
        Event.objects.create(user=world["ana"], kind=EventKind.IMPRESSION, surface="following",
                             post_id=2, created_at=at(minute))  # fmt: skip
    chronological = engagement_by_arm(start=START, end=END)["chronological"]
    assert (chronological.impressions, chronological.following_impressions) == (5, 2)
    assert chronological.following_share == pytest.approx(2 / 5)
    assert chronological.as_dict()["following_share"] == pytest.approx(2 / 5)


def test_the_arms_rates_count_for_you_alone():
    """A like made on Following (or anywhere but For you) does not count for the arm: the
    For-you counts are the impressions, reactions, clicks and dwell on surface `home`."""
    ana = UserFactory(username="ana")
    for minute, surface, arm in ((0, "home", "personalised"), (1, "home", "personalised"),
                                 (2, "following", ""), (3, "profile", "")):  # fmt: skip
        Event.objects.create(user=ana, kind=EventKind.IMPRESSION, surface=surface, arm=arm,
                             post_id=minute + 1, created_at=at(minute))  # fmt: skip
    for minute, kind, surface in ((4, EventKind.LIKE, "home"), (5, EventKind.LIKE, "following"),
                                  (6, EventKind.SHARE, "following"), (7, EventKind.CLICK, "home"),
                                  (8, EventKind.COMMENT, "post")):  # fmt: skip
        Event.objects.create(user=ana, kind=kind, surface=surface, post_id=1,
                             created_at=at(minute))  # fmt: skip
    Event.objects.create(user=ana, kind=EventKind.DWELL, surface="home", dwell_ms=4000,
                         post_id=1, created_at=at(9))  # fmt: skip
    Event.objects.create(user=ana, kind=EventKind.DWELL, surface="following", dwell_ms=9000,
                         post_id=3, created_at=at(9))  # fmt: skip
    arm = engagement_by_arm(start=START, end=END)["personalised"]
    assert (arm.impressions, arm.likes, arm.shares, arm.comments) == (4, 2, 1, 1)
    assert (arm.for_you_impressions, arm.for_you_likes, arm.for_you_shares) == (2, 1, 0)
    assert (arm.for_you_comments, arm.for_you_clicks, arm.for_you_dwell_ms) == (0, 1, 4000)
    on_for_you = arm.on_for_you()
    assert on_for_you.likes_per_impression == pytest.approx(1 / 2)
    assert arm.following_share == pytest.approx(1 / 4)  # of everything the arm's people saw


def test_reactions_without_a_surface_leave_the_for_you_counts_unknown():
    ana = UserFactory(username="ana")
    Event.objects.create(user=ana, kind=EventKind.IMPRESSION, surface="home", arm="diverse",
                         post_id=1, created_at=at(0))  # fmt: skip
    assert engagement_by_arm(start=START, end=END)["diverse"].for_you_impressions == 1
    Event.objects.create(user=ana, kind=EventKind.LIKE, post_id=1, created_at=at(1))
    unknown = engagement_by_arm(start=START, end=END)["diverse"]
    assert not unknown.for_you_known and unknown.for_you_likes is None
    assert unknown.likes == 1  # the all-surface counts are known as ever
