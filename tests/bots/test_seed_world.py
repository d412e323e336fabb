"""seed_world: the same world through the services or in bulk, consistent either way, and
safe to run again."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import RequestFactory
from django.utils import timezone

from accounts.authentication import plain_bearer
from accounts.models import User
from ads.models import Campaign
from bots.credentials import bot_password
from bots.models import BotProfile, PostTruth, Topic
from bots.seeding import seed_world
from bots.world import WorldConfig
from events.models import Event, EventKind
from social.models import Follow, Group, Like, Membership, Post, Share
from social.text_html import RENDER_VERSION

pytestmark = pytest.mark.django_db

SMALL = WorldConfig(topics=20, seed=2, events_per_bot=80, posts_per_bot=3, follows_median=4)


def events(kind) -> int:
    return Event.objects.filter(kind=kind).count()


def assert_consistent_world(bots: int) -> None:
    """What both paths must leave: accounts, truth, counters and an event for every action."""
    assert BotProfile.objects.count() == bots
    assert User.objects.filter(is_bot=True).count() == bots
    assert events(EventKind.SIGNUP) == bots
    profile = BotProfile.objects.select_related("user").first()
    assert sum(profile.taste) == pytest.approx(1.0, abs=1e-3)
    assert profile.user.bio and profile.user.interests and profile.user.display_name
    assert authenticate(username=profile.user.username, password=bot_password()) == profile.user
    # Each bot holds the token its sign-up would have given: the API knows it as the bot's.
    for bot in BotProfile.objects.all():
        request = RequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {bot.api_token}")
        assert plain_bearer(request)[0].pk == bot.user_id
    assert PostTruth.objects.count() == Post.objects.count() > 0
    assert events(EventKind.POST) == Post.objects.count()
    tagged = Post.objects.annotate(tags=Count("hashtags")).filter(tags=0)
    assert not tagged.exists()  # every post carries its topic's hashtag
    post = Post.objects.first()  # kept rendered, as the services keep what they write
    assert post.text_html_version == RENDER_VERSION and "/tags/" in post.text_html
    assert not Post.objects.exclude(text_html_version=RENDER_VERSION).exists()
    for post in Post.objects.annotate(
        likes_n=Count("likes", distinct=True), shares_n=Count("shares", distinct=True)
    ):
        assert post.like_count == post.likes_n
        assert post.share_count == post.shares_n
    assert events(EventKind.LIKE) == Like.objects.count() > 0
    assert events(EventKind.SHARE) == Share.objects.count()
    assert events(EventKind.FOLLOW) == Follow.objects.count() > 0
    assert events(EventKind.IMPRESSION) > events(EventKind.DWELL) > 0
    for group in Group.objects.annotate(members=Count("memberships")):
        assert group.member_count == group.members
    assert events(EventKind.GROUP_JOIN) == Membership.objects.exclude(role="owner").count()
    assert Topic.objects.count() == 20
    assert all(topic.groups.exists() for topic in Topic.objects.all())


def test_a_small_world_goes_through_the_services():
    result = seed_world(bots=10, config=SMALL, topics=20, method="services")
    assert (result.bots_added, result.method) == (10, "services")
    assert_consistent_world(10)
    assert all(user.avatar for user in User.objects.filter(is_bot=True))
    # Stamped now by the services, then moved into the past the history stands for.
    day_ago = timezone.now() - timedelta(days=1)
    assert Event.objects.filter(created_at__lt=day_ago).count() > Event.objects.count() / 2
    assert Post.objects.filter(created_at__lt=day_ago).exists()


def test_a_bulk_world_is_the_same_kind_of_world():
    result = seed_world(bots=60, config=SMALL, topics=20, method="bulk")
    assert (result.bots_added, result.method) == (60, "bulk")
    assert_consistent_world(60)
    assert result.events == Event.objects.count()  # every row written has its event
    # The history is spread over the past days, oldest a week ago.
    oldest = Event.objects.order_by("created_at").first().created_at
    newest = Event.objects.order_by("-created_at").first().created_at
    assert (newest - oldest).days >= 5


def test_running_again_adds_only_what_is_missing_and_says_so():
    seed_world(bots=8, config=SMALL, topics=20, method="bulk")
    again = seed_world(bots=8, config=SMALL, method="bulk")
    assert again.bots_added == 0
    assert "already has 8 bots" in again.message
    assert again.campaigns["campaigns_created"] == 0
    assert Campaign.objects.filter(state=Campaign.State.ACTIVE).count() == 24  # across topics
    grown = seed_world(bots=11, config=SMALL, method="bulk")
    assert (grown.bots_before, grown.bots_added) == (8, 3)
    assert BotProfile.objects.count() == 11
    assert User.objects.filter(is_bot=True).values("username").distinct().count() == 11


def test_the_number_of_topics_cannot_change_once_bots_have_tastes():
    seed_world(bots=5, config=SMALL, topics=20, method="bulk")
    with pytest.raises(ValidationError, match="has 20 topics"):
        seed_world(bots=6, config=SMALL, topics=25)
    with pytest.raises(CommandError, match="has 20 topics"):
        call_command("seed_world", "--bots", "6", "--topics", "25", "--no-progress")
    with pytest.raises(ValidationError, match="between 20 and"):
        Topic.objects.all().delete()
        seed_world(bots=1, config=SMALL, topics=3)


def test_the_command_reports_what_it_did():
    out = StringIO()
    call_command(
        "seed_world", "--bots", "6", "--topics", "20", "--events-per-bot", "20",
        "--method", "bulk", stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "Added 6 bots (bulk)" in text
    assert "Advertisers: 12 added, 0 already there; campaigns: 24 added" in text
    assert "The world now: 20 topics, 6 bots" in text
    out = StringIO()
    call_command("seed_world", "--bots", "6", "--no-progress", stdout=out)
    assert "no bots to add" in out.getvalue()
    assert "Advertisers: 0 added, 12 already there; campaigns: 0 added, 24" in out.getvalue()
