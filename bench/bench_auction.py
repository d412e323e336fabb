"""The ad auction for one feed page with 1,000 active campaigns.

    .venv/bin/python bench/bench_auction.py [pages]

On the bench database (its 200,000 people, 1,000,000 posts and active feed model), inside
one transaction that is rolled back at the end, so the shared world is left as it was:
100 advertisers with 1,000 active, approved campaigns (a third untargeted, the rest on one
to three of 100 topics, some by age or region, CPC and CPM bids, budgets that pace), topics
on the newest 100,000 posts, and declared interests for the people measured.

Each page is a different person's: the three sponsored slots of a 20-post page (layout
positions 5, 11, 17), with the page's 20 posts as context. Measured per page:

- selection: everything an auction reads (the two active models, the person's hidden
  advertisers, ads seen today, recent engagement's hashtags, the page's hashtags, live
  budgets), targeting over the 1,000 campaigns, click predictions and three GSP auctions;
- selection + recording: the same, plus recording each impression (event, day count, and
  for CPM the charge through the conditional updates), as a feed page does.

Budgets (for pacing) and the active models are read at most every
ADS_SERVING_REFRESH_SECONDS per process, as in production; the person and the page every
time.

The ceiling is the same number of `SELECT 1` round trips, the least those queries can cost.
The index of campaigns is built once per process and version; its build time is printed.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/3")  # the ads index token only
from world import setup_django

CAMPAIGNS = 1000
ADVERTISERS = 100
TOPICS = 100
SLOTS = [5, 11, 17]
WARM_UP = 20  # pages before measuring: connections, caches, this process's index


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def build_campaigns(rng):
    """1,000 live campaigns of 100 advertisers, through bulk inserts (the rules are the
    services' business; this measures serving)."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from ads.models import Advertiser, Campaign, Creative
    from social.models import Hashtag, Post

    tags = Hashtag.objects.bulk_create(Hashtag(name=f"topic{n}") for n in range(TOPICS))
    newest = list(Post.objects.order_by("-id").values_list("id", flat=True)[:100_000])
    through = Post.hashtags.through
    through.objects.bulk_create(
        (
            through(post_id=post_id, hashtag_id=tags[int(rng.integers(TOPICS))].pk)
            for post_id in newest
        ),
        batch_size=20_000,
    )
    owners = User.objects.bulk_create(
        User(username=f"bench-advertiser-{n}", password="!") for n in range(ADVERTISERS)
    )
    advertisers = Advertiser.objects.bulk_create(
        Advertiser(user=u, name=f"Brand {n}", billing_email="b@example.com")
        for n, u in enumerate(owners)
    )
    today = timezone.localdate()
    campaigns = []
    for n in range(CAMPAIGNS):
        cpc = rng.random() < 0.6
        bid = int(rng.uniform(0.1, 2.0) * 1e6) if cpc else int(rng.uniform(1.0, 9.0) * 1e6)
        daily = max(bid, int(rng.choice([20, 50, 200, 1000]) * 1e6))
        campaigns.append(
            Campaign(
                advertiser=advertisers[n % ADVERTISERS],
                name=f"Campaign {n}",
                bid_type="cpc" if cpc else "cpm",
                bid_micros=bid,
                daily_budget_micros=daily,
                total_budget_micros=daily * 30,
                starts_on=today,
                ends_on=today + timedelta(days=30),
                state="active",
                age_brackets=["25-34", "35-44"] if rng.random() < 0.15 else [],
                regions=["eu"] if rng.random() < 0.1 else [],
                frequency_cap=5,
            )
        )
    campaigns = Campaign.objects.bulk_create(campaigns)
    topic_links = Campaign.topics.through
    links = []
    for campaign in campaigns:
        if rng.random() < 1 / 3:
            continue  # untargeted
        for tag in rng.choice(tags, size=int(rng.integers(1, 4)), replace=False):
            links.append(topic_links(campaign_id=campaign.pk, hashtag_id=tag.pk))
    topic_links.objects.bulk_create(links)
    Creative.objects.bulk_create(
        Creative(
            campaign=c,
            headline=f"Offer {c.pk}",
            text="Something good.",
            link="https://example.com/",
            review_state="approved",
        )
        for c in campaigns
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ads_campaign, ads_creative, social_post_hashtags")
    return [t.name for t in tags]


def main():
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    setup_django()
    import numpy as np
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from ads import index
    from ads.sponsored import PageAuction, serve_sponsored
    from feeds import serving
    from feeds.models import ModelKind
    from social.models import Post

    rng = np.random.default_rng(1)
    load = os.getloadavg()[0]
    with transaction.atomic():
        started = time.perf_counter()
        topics = build_campaigns(rng)
        print(f"set-up: {CAMPAIGNS:,} campaigns in {time.perf_counter() - started:.1f} s")
        people = list(
            User.objects.filter(username__startswith="bench")
            .exclude(username__startswith="bench-advertiser")
            .order_by("?")[: pages + WARM_UP]
        )
        for person in people:
            person.interests = list(rng.choice(topics, size=3, replace=False))
        User.objects.bulk_update(people, ["interests"])
        newest = list(Post.objects.order_by("-id").values_list("id", flat=True)[:100_000])
        index.publish()
        feed = serving.current_model(ModelKind.FEED_ALS)
        started = time.perf_counter()
        built = index.current_index(timezone.localdate(), feed=feed)
        build_ms = (time.perf_counter() - started) * 1000
        print(
            f"index: {len(built):,} campaigns, {len(built.vocabulary)} topics, built in "
            f"{build_ms:.0f} ms (once per process and version)"
            + (f"; feed model v{feed.version_id}" if feed else "; no feed model")
        )

        def context():
            return [newest[int(i)] for i in rng.integers(0, len(newest), size=20)]

        pages_of = [(person, context()) for person in people]

        def select(person, posts):
            page = PageAuction.open(
                person, token=index.serving_token(), context_post_ids=posts, now=timezone.now()
            )
            won = 0
            while page is not None and won < len(SLOTS):
                pick = page.winner()
                if pick is None:
                    break
                page.shown(pick)
                won += 1
            return won

        for person, posts in pages_of[-WARM_UP:]:  # people not measured below
            select(person, posts)
        selection, winners = [], []
        for person, posts in pages_of[:pages]:
            t0 = time.perf_counter()
            winners.append(select(person, posts))
            selection.append((time.perf_counter() - t0) * 1000)
        full, round_trips, queries = [], [], []
        for person, posts in pages_of[:pages]:
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                serve_sponsored(
                    person, slots=SLOTS, context_post_ids=posts, surface="home", now=timezone.now()
                )
                full.append((time.perf_counter() - t0) * 1000)
            queries.append(len(captured))
            t0 = time.perf_counter()
            with connection.cursor() as cursor:
                for _ in range(len(captured)):
                    cursor.execute("SELECT 1")
            round_trips.append((time.perf_counter() - t0) * 1000)
        transaction.set_rollback(True)  # leave the shared bench world as it was

    print(
        f"pages: {pages}, load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    )
    print(f"queries per page with recording: median {statistics.median(queries):.0f}")
    print(f"ads per page: mean {statistics.mean(winners):.2f} of {len(SLOTS)} slots")
    for name, timings in (
        ("selection (3 auctions)", selection),
        ("selection + recording", full),
        (f"ceiling: {statistics.median(queries):.0f} x SELECT 1", round_trips),
    ):
        print(
            f"{name:<28} p50 {percentile(timings, 0.5):6.2f} ms   p99 "
            f"{percentile(timings, 0.99):6.2f} ms   max {max(timings):6.2f} ms"
        )
    print("target: p99 < 5 ms for one page's auction")


if __name__ == "__main__":
    main()
