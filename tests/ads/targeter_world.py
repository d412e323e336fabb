"""A world where the truth about ad clicks is known, for the targeter's tests. No tests here.

Two topics, #jazz and #cooking. Half the people love jazz, half love cooking, and the feed
model knows it (its factors are given). Four campaigns, two per topic. Every person is shown
every campaign once, in a random order over the last day, and clicks with probability 0.45
when the campaign's topic is their own and 0.03 otherwise. Nobody declared interests, so
targeting alone (the baseline) cannot tell people apart; the feed model's topic affinity can.
"""

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.utils import timezone

from accounts.models import User
from analytics.models import Event, EventKind
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


def make_click_world(*, people_per_topic: int = 40, seed: int = 5) -> World:
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
        t: [CampaignFactory(topics=[t], name=f"{t} {n}") for n in range(2)] for t in TOPICS
    }
    pairs = [
        (person, campaign, LIKES_OWN_TOPIC if taste == topic else LIKES_OTHER)
        for taste in TOPICS
        for person in people[taste]
        for topic in TOPICS
        for campaign in campaigns[topic]
    ]
    order = rng.permutation(len(pairs))
    start = timezone.now() - timedelta(hours=23)
    events, clicks = [], 0
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
            clicks += 1
            events.append(
                Event(
                    kind=EventKind.AD_CLICK,
                    user_id=person,
                    campaign_id=campaign.pk,
                    created_at=at + timedelta(seconds=5),
                )
            )
    Event.objects.bulk_create(events)
    return World(people=people, campaigns=campaigns, clicks=clicks, impressions=len(pairs))
