"""The home feed of a ranked arm: candidates, features, order, caps.

    model candidates (feeds.candidates) + the candidate pool (feeds.candidate_pool)
      -> blended score and reason (feeds.ranking.score_and_explain)
      -> features (feeds.ranker_features), logged when served (feeds.ranker_log)
      -> the learned arm: order by predicted engagement (feeds.learned)
      -> caps (feeds.ranking.diversify)

The features are computed for every ranked arm (with FEED_RANKER_LOG on), because the
ranker learns from what the hand blend served as much as from what it served itself.
"""

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from feeds import candidates as model_candidates
from feeds import serving
from feeds.candidate_pool import candidate_pool, interests_of
from feeds.experiments import Assignment, Strategy
from feeds.learned import current_ranker, order_by_ranker
from feeds.ranker_features import feature_rows, social_context
from feeds.ranking import (
    DIVERSE_AUTHOR_CAP,
    DIVERSE_TOPIC_CAP,
    PERSONALISED_AUTHOR_CAP,
    SNAPSHOT_SIZE,
    Candidate,
    RankedFeed,
    blend_weights,
    diversify,
    scaled_model_scores,
    score_and_explain,
    source_scores,
)
from feeds.topic_engagement import PRIOR_SECONDS


def _model_candidates(viewer) -> tuple[dict[int, float], int | None]:
    """The model's top posts for the person, scores scaled to [0, 1] by the best one: the
    precomputed record when it is still exact, else folded in and retrieved now."""
    served = serving.current_model()
    if served is None:
        return {}, None
    record = model_candidates.for_person(served, viewer.pk)
    if record is None:
        return {}, None
    return scaled_model_scores(record.pairs), served.version_id


def rank_home(
    viewer,
    assignment: Assignment,
    *,
    now: datetime | None = None,
    limit: int = SNAPSHOT_SIZE,
    visible=None,
) -> RankedFeed:
    """The person's ranked home feed, best first, each item with its reason. `visible` is
    `social.selectors.visible_posts(viewer)` if the caller already has it."""
    now = now or timezone.now()
    weights = blend_weights(assignment.blend)
    model_scores, version = _model_candidates(viewer)
    cold = not model_scores and version is None
    pool = candidate_pool(viewer, now, model_ids=model_scores, cold=cold, visible=visible)
    candidates: dict[int, Candidate] = {}
    for row in pool.rows:
        candidate = candidates.get(row["id"])
        if candidate is None:
            candidate = candidates[row["id"]] = Candidate.from_row(row)
        if row["src"] != "by_id":
            candidate.sources[row["src"]] = 0.0
    interests = interests_of(viewer)
    for candidate in candidates.values():
        candidate.hashtags = pool.hashtags.get(candidate.id, frozenset())
        candidate.liked_tag = pool.liked_tag.get(candidate.id)
        candidate.liked_share = pool.liked_share.get(candidate.id, 0.0)
        candidate.topic_read_time = pool.topic_read_time.get(candidate.id, PRIOR_SECONDS)
        candidate.topic_views = pool.topic_views.get(candidate.id, 0.0)
        candidate.expected_read_ms = pool.expected_read_ms.get(candidate.id, 0)
        if candidate.id in model_scores:
            candidate.sources["model"] = model_scores[candidate.id]
        if candidate.id in pool.trending:
            candidate.sources["trending"] = pool.trending[candidate.id]
        if candidate.id in pool.shared:
            candidate.shared = pool.shared[candidate.id]
            candidate.sources["shared"] = 0.0
        if "interests" in candidate.sources and not candidate.hashtags & set(interests):
            del candidate.sources["interests"]
        if candidate.author_id == viewer.pk:  # one's own posts: only as "your post"
            candidate.sources = {k: v for k, v in candidate.sources.items() if k == "own"}
    listed = [candidate for candidate in candidates.values() if candidate.sources]
    scores = source_scores(listed, now=now)
    ranked = score_and_explain(listed, weights=weights, now=now, interests=interests, scores=scores)
    learned = assignment.strategy == Strategy.LEARNED
    if listed and (learned or settings.FEED_RANKER_LOG):
        rows = feature_rows(
            listed,
            scores=scores,
            now=now,
            interests=interests,
            context=social_context(viewer, listed),
        )
        for candidate, row in zip(listed, rows, strict=True):
            candidate.features = row
        ranker = current_ranker() if learned else None
        if ranker is not None:
            ranked = order_by_ranker(ranker, listed, rows)
    if assignment.is_diverse:
        ranked = diversify(
            ranked,
            author_cap=DIVERSE_AUTHOR_CAP,
            topic_cap=DIVERSE_TOPIC_CAP,
            strict=True,
            limit=limit,
        )
    else:
        ranked = diversify(
            ranked, author_cap=PERSONALISED_AUTHOR_CAP, topic_cap=None, strict=False, limit=limit
        )
    return RankedFeed(
        items=ranked, model_version=version if model_scores else None, cold_start=cold
    )
