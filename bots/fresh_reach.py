"""How soon new posts reach feeds through the model: the loop report's freshness line.

A post made in the range is "model-placed" on a ranked home page when the model's source
found it as a candidate there: its `model` score in the features logged with the served post
(feeds.ranker_log) is above 0. Until a version (or the fold-in of fresh posts,
feeds.fresh_posts) gives the post a vector, only the other sources (follows, groups, trends,
fresh) can show it. The measure is each post's age at its first model-placed serving.
"""

from datetime import datetime

import numpy as np

from feeds.models import ServedCandidate
from feeds.ranker_features import FEATURES
from social.models import Post

MODEL_SCORE = FEATURES.index("model")


def fresh_reach(start: datetime, end: datetime) -> dict:
    """Of the posts made in [start, end): how many were model-placed before `end`, and the
    median and 90th percentile of their age (seconds) when it first happened."""
    made = dict(
        Post.objects.filter(created_at__gte=start, created_at__lt=end).values_list(
            "id", "created_at"
        )
    )
    first_placed: dict[int, datetime] = {}
    served = (
        ServedCandidate.objects.filter(post_id__in=list(made), served_at__lt=end)
        .order_by("served_at", "id")
        .values_list("post_id", "served_at", "features")
        .iterator(chunk_size=5000)
    )
    for post_id, served_at, features in served:
        if post_id in first_placed:
            continue
        if np.frombuffer(bytes(features), dtype=np.float32)[MODEL_SCORE] > 0:
            first_placed[post_id] = served_at
    ages = np.array([(at - made[post_id]).total_seconds() for post_id, at in first_placed.items()])
    return {
        "posts": len(made),
        "model_placed": len(ages),
        "median_seconds": float(np.median(ages)) if len(ages) else None,
        "p90_seconds": float(np.percentile(ages, 90)) if len(ages) else None,
    }


def fresh_reach_verdict(reach: dict) -> str:
    if not reach["model_placed"]:
        return (
            f"No post of the {reach['posts']} made in this range reached a feed through the model."
        )
    return (
        f"{reach['model_placed']} of the {reach['posts']} posts made in this range reached a "
        f"feed through the model; their age when it first happened: median "
        f"{reach['median_seconds']:.0f} s, 90th percentile {reach['p90_seconds']:.0f} s."
    )
