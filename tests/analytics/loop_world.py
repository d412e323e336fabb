"""A running loop in miniature, for the dashboard and browser tests: people in three arms see
posts for a few days, react to them (the personalised arms a little more), ads serve and are
charged, and the model has been retrained a few times. Seeded, so every run is the same.
"""

import random
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from analytics import rollups
from events.models import Event, EventKind
from feeds.models import ModelVersion
from social.models import Hashtag, Post

ARMS = ["chronological", "personalised", "personalised-diverse"]
LIKE_RATE = {"chronological": 0.08, "personalised": 0.12, "personalised-diverse": 0.11}
TOPICS = ["jazz", "cycling", "cooking", "chess", "gardening", "film", "python", "running"]


def trained_versions(now) -> list[ModelVersion]:
    ModelVersion.objects.filter(state=ModelVersion.State.ACTIVE).update(
        state=ModelVersion.State.RETIRED
    )
    versions = []
    for n, recall in enumerate([0.18, 0.22, 0.27, 0.31]):
        state = ModelVersion.State.ACTIVE if n == 3 else ModelVersion.State.RETIRED
        versions.append(
            ModelVersion.objects.create(
                state=state,
                users=40 + 10 * n,
                items=120 + 40 * n,
                nonzeros=900 + 400 * n,
                train_seconds=1.5 + n,
                metrics={
                    "model": {"recall@20": recall, "ndcg@20": recall * 0.6, "coverage": 0.4},
                    "baseline": {"recall@20": 0.12, "ndcg@20": 0.07, "coverage": 0.02},
                },
                started_at=now - timedelta(hours=30 - 8 * n),
                finished_at=now - timedelta(hours=30 - 8 * n, seconds=-5),
                activated_at=now - timedelta(hours=29 - 8 * n),
            )
        )
    return versions


def ad_campaigns(owner_names=("Acme Shoes", "Bean Roasters"), *, prefix="advertiser"):
    from ads.models import Advertiser, Campaign

    campaigns = []
    today = timezone.localdate()
    for n, name in enumerate(owner_names):
        owner = User.objects.create(username=f"{prefix}{n}", password="!")
        advertiser = Advertiser.objects.create(user=owner, name=name, billing_email="a@b.example")
        campaigns.append(
            Campaign.objects.create(
                advertiser=advertiser,
                name=f"{name} spring",
                bid_micros=300_000,
                daily_budget_micros=20_000_000,
                total_budget_micros=200_000_000,
                starts_on=today - timedelta(days=10),
                ends_on=today + timedelta(days=20),
                state=Campaign.State.ACTIVE,
            )
        )
    return campaigns


def build_loop(
    *, days: int = 3, people: int = 24, seed: int = 7, now=None, prefix: str = "member"
) -> dict:
    """People, posts and a few days of events ending `now`, then the rollups of them."""
    from ads.models import Campaign, LedgerEntry

    rng = random.Random(seed)
    now = now or timezone.now()
    tags = [Hashtag.objects.get_or_create(name=t)[0] for t in TOPICS]
    # Many people and no logins: unusable passwords spare the slow password hasher.
    crowd = User.objects.bulk_create(
        User(username=f"{prefix}{n}", display_name=f"Member {n}", password="!")
        for n in range(people)
    )
    for person in crowd[:3]:
        person.personalised_feed = False
        person.save(update_fields=["personalised_feed"])
    authors = crowd[: people // 2]
    posts = []
    for n in range(40):
        post = Post.objects.create(author=rng.choice(authors), text=f"note {n}")
        post.hashtags.set(rng.sample(tags, 2))
        posts.append(post)
    versions = trained_versions(now)
    campaigns = ad_campaigns(prefix=f"{prefix}-advertiser")
    events, charges = [], []
    start = now - timedelta(days=days)
    for hour in range(days * 24):
        moment = start + timedelta(hours=hour)
        for person in rng.sample(crowd, min(len(crowd), rng.randint(4, 10))):
            arm = ARMS[person.pk % 3] if person.personalised_feed else "opted-out"
            placed = versions[-1].pk if arm != "chronological" and arm != "opted-out" else None
            for step in range(rng.randint(3, 8)):
                at = moment + timedelta(minutes=rng.randint(0, 59), seconds=step)
                post = rng.choice(posts)
                # Shown on For you, and reacted to there.
                common = {"user": person, "post_id": post.pk, "created_at": at, "surface": "home"}
                events.append(Event(kind=EventKind.IMPRESSION, arm=arm, model_version=placed,
                                    **common))  # fmt: skip
                events.append(Event(kind=EventKind.DWELL, dwell_ms=rng.randint(800, 9000),
                                    **common))  # fmt: skip
                if rng.random() < LIKE_RATE.get(arm, 0.08):
                    events.append(Event(kind=EventKind.LIKE, **common))
                if rng.random() < 0.04:
                    events.append(Event(kind=EventKind.CLICK, **common))
            if rng.random() < 0.5:
                campaign = rng.choice(campaigns)
                events.append(Event(kind=EventKind.AD_IMPRESSION, user=person, surface="home",
                                    campaign_id=campaign.pk, created_at=moment))  # fmt: skip
                charges.append(
                    LedgerEntry(campaign=campaign, kind="impression", amount_micros=2_000,
                                person=person, created_at=moment)
                )  # fmt: skip
                if rng.random() < 0.1:
                    events.append(Event(kind=EventKind.AD_CLICK, user=person,
                                        campaign_id=campaign.pk, created_at=moment))  # fmt: skip
                    charges.append(
                        LedgerEntry(campaign=campaign, kind="click", amount_micros=300_000,
                                    created_at=moment)
                    )  # fmt: skip
        if rng.random() < 0.3:
            newcomer = rng.choice(crowd)
            events.append(Event(kind=EventKind.SIGNUP, user=newcomer, created_at=moment))
        if rng.random() < 0.6:
            events.append(Event(kind=EventKind.POST, user=rng.choice(authors),
                                post_id=rng.choice(posts).pk, created_at=moment))  # fmt: skip
    Event.objects.bulk_create(events, batch_size=2000)
    LedgerEntry.objects.bulk_create(charges)
    for campaign in campaigns:
        spent = sum(c.amount_micros for c in charges if c.campaign_id == campaign.pk)
        Campaign.objects.filter(pk=campaign.pk).update(spent_micros=spent)
    roll_up(now, days)
    return {"people": crowd, "posts": posts, "versions": versions, "campaigns": campaigns}


def roll_up(now, days: int) -> None:
    since = now - timedelta(days=days)
    rollups.rollup_range(rollups.HOURLY, since, now, now=now)
    rollups.rollup_range(rollups.DAILY, since, now, now=now)
