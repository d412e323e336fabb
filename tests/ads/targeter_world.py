"""A world where the truth about ad clicks is known, for the targeter's tests. No tests here.

Two topics, #jazz and #cooking. Half the people love jazz, half love cooking, and the feed
model knows it (its factors are given). Six campaigns, three per topic. Every person is shown
every campaign once, in a random order over the last day, and clicks with probability 0.45
when the campaign's topic is their own and 0.03 otherwise. Nobody declared interests, so
targeting alone (the baseline) cannot tell people apart; the feed model's topic affinity can.
"""

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.utils import timezone

from accounts.models import User
from events.models import Event, EventKind
from social import services as social
from tests.ads.helpers import feed_model_with
from tests.factories import CampaignFactory, UserFactory

TOPICS = ("jazz", "cooking")
LIKES_OWN_TOPIC, LIKES_OTHER = 0.45, 0.03


@dataclass
class World:
    people: dict[str, list[int]]  # topic -> user ids
    campaigns: dict[str, list]  # topic -> campaigns
    clicks: int
    impressions: int


def make_click_world(
    *,
    people_per_topic: int = 60,
    campaigns_per_topic: int = 3,
    seed: int = 5,
    own: float = LIKES_OWN_TOPIC,
    other: float = LIKES_OTHER,
) -> World:
    rng = np.random.default_rng(seed)
    author = UserFactory(username="writer")
    posts = {
        t: [social.post_create(author=author, text=f"{t} {n} #{t}") for n in range(4)]
        for t in TOPICS
    }
    people: dict[str, list[int]] = {}
    for topic in TOPICS:
        made = User.objects.bulk_create(
            User(username=f"{topic}-fan-{n}", password="!") for n in range(people_per_topic)
        )
        people[topic] = [u.pk for u in made]
    axis = {"jazz": [1.0, 0.0], "cooking": [0.0, 1.0]}
    feed_model_with(
        {
            pk: list(np.array(axis[topic]) * 0.9 + rng.uniform(0, 0.2, 2))
            for topic in TOPICS
            for pk in people[topic]
        },
        {post.pk: axis[topic] for topic in TOPICS for post in posts[topic]},
    )
    campaigns = {
        t: [CampaignFactory(topics=[t], name=f"{t} {n}") for n in range(campaigns_per_topic)]
        for t in TOPICS
    }
    world = World(people=people, campaigns=campaigns, clicks=0, impressions=0)
    show_campaigns(world, campaigns, rng=rng, own=own, other=other)
    return world


def show_campaigns(
    world: World,
    campaigns: dict[str, list],
    *,
    rng,
    own: float = LIKES_OWN_TOPIC,
    other: float = LIKES_OTHER,
    hours_ago: float = 23,
) -> None:
    """Show every person each of `campaigns` once, in a random order from `hours_ago` on,
    each clicked with probability `own` on the person's topic and `other` elsewhere."""
    pairs = [
        (person, campaign, own if taste == topic else other)
        for taste in TOPICS
        for person in world.people[taste]
        for topic in TOPICS
        for campaign in campaigns[topic]
    ]
    order = rng.permutation(len(pairs))
    start = timezone.now() - timedelta(hours=hours_ago)
    events = []
    for step, i in enumerate(order):
        person, campaign, chance = pairs[i]
        at = start + timedelta(seconds=20 * step)
        events.append(
            Event(
                kind=EventKind.AD_IMPRESSION,
                user_id=person,
                campaign_id=campaign.pk,
                surface="home",
                created_at=at,
            )
        )
        if rng.random() < chance:
            world.clicks += 1
            events.append(
                Event(
                    kind=EventKind.AD_CLICK,
                    user_id=person,
                    campaign_id=campaign.pk,
                    created_at=at + timedelta(seconds=5),
                )
            )
    world.impressions += len(pairs)
    Event.objects.bulk_create(events)


def add_campaigns(world: World, *, per_topic: int = 2, seed: int = 8, **rates) -> dict:
    """New campaigns on each topic, shown to everyone after everything so far."""
    campaigns = {
        t: [CampaignFactory(topics=[t], name=f"{t} new {n}") for n in range(per_topic)]
        for t in TOPICS
    }
    show_campaigns(world, campaigns, rng=np.random.default_rng(seed), hours_ago=5, **rates)
    for topic in TOPICS:
        world.campaigns[topic].extend(campaigns[topic])
    return campaigns
