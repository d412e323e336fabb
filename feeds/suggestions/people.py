"""People to follow: authors the viewer engaged with, people followed by people they follow,
people of similar taste in the active model, and the most followed to fill the list."""

from collections import defaultdict

import numpy as np
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Exists, Min, OuterRef, Q

from feeds.serving import current_model, user_vector
from feeds.suggestions.blend import (
    CANDIDATES,
    Suggestion,
    _Candidates,
    _followees,
    _whom_you_follow,
)
from feeds.suggestions.engagement import (
    Engagement,
    _engaged_posts,
    _engagement_reason,
    engagement_of,
)
from social.models import Block, Follow, Mute

User = get_user_model()

SIMILARITY_MIN = 0.5  # cosine at or above which "similar taste" is a fair thing to say
POPULAR_CACHE_SECONDS = 600
POPULAR_MIN_FOLLOWERS = 2  # "popular" means more than one person chose them


def _excluded_people(viewer) -> set[int]:
    """The viewer, whom they follow or muted, and blocks either way."""
    excluded = {viewer.pk}
    excluded.update(Follow.objects.filter(follower=viewer).values_list("followee_id", flat=True))
    excluded.update(Mute.objects.filter(muter=viewer).values_list("muted_id", flat=True))
    blocks = Block.objects.filter(Q(blocker=viewer) | Q(blocked=viewer))
    for pair in blocks.values_list("blocker_id", "blocked_id"):
        excluded.update(pair)
    return excluded


def _engaged_authors(candidates: _Candidates, engagement: Engagement, posts) -> None:
    by_author: dict[int, set[int]] = defaultdict(set)
    for post_id, author_id, _group_id in posts:
        by_author[author_id].add(post_id)
    for author_id, post_ids in by_author.items():
        count, reason = _engagement_reason(engagement, post_ids, for_group=False)
        candidates.add(author_id, "engaged", 1.0 + min(count, 10) / 10, reason)


def _friends_of_friends(candidates: _Candidates, viewer) -> None:
    rows = (
        Follow.objects.filter(follower_id__in=_followees(viewer), follower__is_active=True)
        .exclude(followee_id__in=_followees(viewer))
        .exclude(followee=viewer)
        .values("followee_id")
        .annotate(count=Count("id"), via=Min("follower__username"))
        .order_by("-count", "followee_id")[:CANDIDATES]
    )
    for row in rows:
        reason = "followed by " + _whom_you_follow(row["via"], row["count"])
        candidates.add(row["followee_id"], "friends", 1.0 + min(row["count"], 10) / 10, reason)


_norms: tuple = (None, None)  # (the loaded model, its user vectors' lengths), swapped whole


def _user_norms(served) -> np.ndarray:
    """Lengths of every user vector of the served model, computed once per loaded model."""
    global _norms
    model, norms = _norms
    if model is not served.model:
        factors = np.asarray(served.model.user_factors, dtype=np.float32)
        norms = np.linalg.norm(factors, axis=1)
        _norms = (served.model, norms)
    return norms


def similar_people(viewer, *, limit: int = CANDIDATES) -> list[tuple[int, float]]:
    """(user id, cosine) of the people whose vectors are closest to the viewer's, among those
    the active model has a row for; the viewer's vector has their fresh interactions folded
    in. Empty before any model, or for someone the model cannot place."""
    served = current_model()
    if served is None or not len(served.model.user_ids):
        return []
    vector = user_vector(served, viewer.pk)
    if vector is None:
        row = served.model.user_row(viewer.pk)
        if row is None:
            return []
        vector = np.asarray(served.model.user_factors[row], dtype=np.float32)
    length = float(np.linalg.norm(vector))
    if length == 0:
        return []
    norms = _user_norms(served)
    with np.errstate(divide="ignore", invalid="ignore"):
        cosine = (served.model.user_factors @ vector) / (norms * length)
    cosine = np.where(np.isfinite(cosine), cosine, -1.0)
    own = served.model.user_row(viewer.pk)
    if own is not None:
        cosine[own] = -1.0
    count = min(limit, len(cosine))
    top = np.argpartition(-cosine, count - 1)[:count]
    top = top[np.argsort(-cosine[top])]
    return [
        (int(served.model.user_ids[i]), float(cosine[i]))
        for i in top
        if cosine[i] >= SIMILARITY_MIN
    ]


def _popular_people() -> list[int]:
    """The most followed active people (cached: an aggregate over every follow)."""
    ids = cache.get("feeds:suggestions:popular-people")
    if ids is None:
        ids = list(
            Follow.objects.filter(followee__is_active=True)
            .values("followee_id")
            .annotate(count=Count("id"))
            .filter(count__gte=POPULAR_MIN_FOLLOWERS)
            .order_by("-count", "followee_id")
            .values_list("followee_id", flat=True)[:CANDIDATES]
        )
        cache.set("feeds:suggestions:popular-people", ids, POPULAR_CACHE_SECONDS)
    return ids


def _people(viewer, ids: list[int]):
    """The suggested people, as `selectors.people_visible_to` gives them (active, with whether
    the viewer follows each), without reading the block list a second time: the candidates
    were already cleared of blocks either way."""
    return User.objects.filter(pk__in=ids, is_active=True).annotate(
        viewer_follows=Exists(Follow.objects.filter(follower=viewer, followee=OuterRef("pk")))
    )


def people_to_follow(viewer, *, limit: int = 10, exclude: int | None = None) -> list[Suggestion]:
    """People the viewer may want to follow, best first, each with a true reason; never
    `exclude` (the person whose profile the card sits beside, who has their own button)."""
    if viewer is None or not viewer.is_authenticated:
        return []
    candidates = _Candidates(_excluded_people(viewer) | ({exclude} if exclude else set()))
    engagement = engagement_of(viewer.pk)
    _engaged_authors(candidates, engagement, _engaged_posts(viewer, engagement))
    _friends_of_friends(candidates, viewer)
    for user_id, cosine in similar_people(viewer, limit=CANDIDATES + len(candidates.excluded)):
        candidates.add(user_id, "similar", cosine, "similar taste to yours")
    if len(candidates.found) < limit:
        for position, user_id in enumerate(_popular_people()):
            candidates.fill(user_id, "popular", 1.0 - position / 100, "popular on Flywheel")
    ranked = candidates.ranked(limit * 2)  # room for people the final check leaves out
    people = {person.pk: person for person in _people(viewer, [r[0] for r in ranked])}
    return [
        Suggestion(people[pk], score, source, reason, reasons)
        for pk, score, source, reason, reasons in ranked
        if pk in people
    ][:limit]
