"""Builders for the ads tests. No tests live here.

Writers publish the index's new version after their transaction commits; tests run inside
one transaction, so `live()` publishes it by hand once a test's campaigns are in place.
"""

from datetime import timedelta

from django.utils import timezone

from ads import index, services
from ads.models import Campaign


def live():
    """Publish the index (what commit would do) so the next auction sees the campaigns."""
    index.publish()


def campaign_values(**overrides) -> dict:
    """Valid settings for ads.services.campaign_create."""
    today = timezone.localdate()
    values = {
        "name": "Spring sale",
        "objective": Campaign.Objective.TRAFFIC,
        "bid_type": Campaign.BidType.CPC,
        "bid_micros": 500_000,
        "daily_budget_micros": 20_000_000,
        "total_budget_micros": 100_000_000,
        "starts_on": today,
        "ends_on": today + timedelta(days=30),
        "topics": ["jazz"],
        "frequency_cap": 3,
    }
    values.update(overrides)
    return values


def launched(advertiser, staff=None, **overrides) -> Campaign:
    """A campaign made and approved the way people make them: services all the way."""
    campaign = services.campaign_create(advertiser=advertiser, **campaign_values(**overrides))
    creative = services.creative_create(
        campaign=campaign, headline="Fresh vinyl", text="Records for jazz lovers.",
        link="https://example.com/vinyl",
    )  # fmt: skip
    services.campaign_submit(campaign=campaign)
    services.creative_review(creative=creative, reviewer=staff, approve=True)
    campaign.refresh_from_db()
    return campaign


def serve(viewer, *, slots=(5,), context=(), arm="test-arm", model_version=None, now=None):
    """Fill sponsored slots for a person, as the home feed does."""
    from ads.sponsored import serve_sponsored

    return serve_sponsored(
        viewer,
        slots=list(slots),
        context_post_ids=[getattr(p, "pk", p) for p in context],
        surface="home",
        arm=arm,
        model_version=model_version,
        now=now,
    )


def feed_model_with(
    vectors_by_user: dict[int, list[float]], vectors_by_post: dict[int, list[float]]
):
    """Install an active feed model whose factors are given, so tests know who is close to
    which topic."""
    import numpy as np

    from feeds.artifacts import save_factor_model
    from feeds.models import ModelKind, ModelVersion

    users = sorted(vectors_by_user)
    posts = sorted(vectors_by_post)
    version = ModelVersion.objects.create(kind=ModelKind.FEED_ALS, state=ModelVersion.State.READY)
    path = save_factor_model(
        ModelKind.FEED_ALS,
        version.pk,
        user_factors=np.array([vectors_by_user[u] for u in users], dtype=np.float32),
        item_factors=np.array([vectors_by_post[p] for p in posts], dtype=np.float32),
        user_ids=np.array(users),
        post_ids=np.array(posts),
        meta={"params": {"factors": len(next(iter(vectors_by_user.values())))}},
    )
    ModelVersion.objects.filter(pk=version.pk).update(
        state=ModelVersion.State.ACTIVE, artifact_path=str(path), activated_at=timezone.now()
    )
    return version
