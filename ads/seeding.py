"""Seed advertisers and live campaigns across topics, for the running loop and for demos.

Everything goes through the normal services (the same validation, the same review), so a
seeded campaign is exactly what an advertiser could have made. Seeding is deterministic for
a seed and safe to re-run: it adds only what is missing and reports what was already there.
"""

import random
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from ads import selectors, services
from ads.models import Advertiser, Campaign
from ads.money import MICROS

Progress = Callable[[str, int, int], None]  # stage, done, total
BRANDS = ["Supply Co.", "Studio", "Collective", "Outfitters", "Market", "Works", "House", "Lab"]
HEADLINES = [
    ("Everything for {topic}", "Hand-picked gear and guides for people into {tags}."),
    ("New season of {topic}", "Fresh ideas for {tags}. Free delivery this month."),
    ("Love {topic}?", "Join thousands who follow {tags} with us. First order 20% off."),
]
CAMPAIGN_DAYS = 60


def _advertiser_user(n: int, topic: str) -> tuple[User, bool]:
    username = f"advertiser{n:02d}"
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "display_name": f"{topic.title()} advertiser",
            "email": f"{username}@example.com",
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user, created


def _campaign_specs(rng: random.Random, topic: str, hashtags: list[str]) -> list[dict]:
    """Two campaigns per advertiser: one paying per click, one per thousand impressions."""
    today = timezone.localdate()
    specs = []
    for bid_type, low, high in (
        (Campaign.BidType.CPC, 0.20, 1.50),
        (Campaign.BidType.CPM, 2.00, 8.00),
    ):
        bid = int(round(rng.uniform(low, high), 2) * MICROS)
        daily = int(rng.choice([20, 50, 100, 200]) * MICROS)
        specs.append(
            {
                "name": f"{topic.title()} ({'clicks' if bid_type == 'cpc' else 'reach'})",
                "objective": Campaign.Objective.TRAFFIC
                if bid_type == Campaign.BidType.CPC
                else Campaign.Objective.AWARENESS,
                "bid_type": bid_type,
                "bid_micros": bid,
                "daily_budget_micros": max(daily, bid),
                "total_budget_micros": max(daily, bid) * 30,
                "starts_on": today,
                "ends_on": today + timedelta(days=CAMPAIGN_DAYS),
                "topics": hashtags,
                "frequency_cap": rng.choice([2, 3, 4]),
            }
        )
    return specs


def _launch(advertiser: Advertiser, spec: dict, rng: random.Random, slug: str) -> Campaign:
    """Create, add two ads, submit and approve (the system reviews its own demo ads)."""
    with transaction.atomic():
        campaign = services.campaign_create(advertiser=advertiser, **spec)
        tags = " and ".join(f"#{tag}" for tag in spec["topics"][:2]) or "it"
        topic = spec["name"].split(" (")[0]
        for headline, text in rng.sample(HEADLINES, 2):
            services.creative_create(
                campaign=campaign,
                headline=headline.format(topic=topic)[:60],
                text=text.format(tags=tags)[:200],
                link=f"https://example.com/{slug}",
            )
        services.campaign_submit(campaign=campaign)
        for creative in campaign.creatives.all():
            services.creative_review(creative=creative, reviewer=None, approve=True)
        campaign.refresh_from_db()
    return campaign


def seed_campaigns(
    *, topics: list[tuple[str, list[str]]], advertisers: int = 10, seed: int = 0, progress=None
) -> dict:
    """Create `advertisers` advertisers (users `advertiser01`...) and two approved, active
    campaigns each, targeting one topic's hashtags (topics are dealt round-robin)."""
    if not topics:
        raise ValueError("seed_campaigns needs at least one (topic, hashtags) pair")
    progress = progress or (lambda stage, done, total: None)
    rng = random.Random(seed)
    report = {
        "advertisers_created": 0,
        "advertisers_existing": 0,
        "campaigns_created": 0,
        "campaigns_existing": 0,
    }
    progress("advertisers", 0, advertisers)
    for n in range(1, advertisers + 1):
        topic, hashtags = topics[(n - 1) % len(topics)]
        hashtags = [str(tag).lstrip("#").lower() for tag in hashtags]
        specs = _campaign_specs(rng, topic, hashtags)  # drawn every time: stable per seed
        user, _ = _advertiser_user(n, topic)
        advertiser = selectors.advertiser_of(user)
        if advertiser is None:
            name = f"{topic.title()} {BRANDS[(n - 1) % len(BRANDS)]}"
            advertiser = services.advertiser_create(
                user=user, name=name, billing_email=f"billing+{user.username}@example.com"
            )
            report["advertisers_created"] += 1
        else:
            report["advertisers_existing"] += 1
        have = set(Campaign.objects.filter(advertiser=advertiser).values_list("name", flat=True))
        for spec in specs:
            if spec["name"] in have:
                report["campaigns_existing"] += 1
                continue
            _launch(advertiser, spec, rng, slug=user.username)
            report["campaigns_created"] += 1
        progress("advertisers", n, advertisers)
    return report
