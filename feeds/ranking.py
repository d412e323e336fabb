"""Ranking the home feed: candidate sources, one blended score, a diversity pass, and a true
reason for every item.

Candidates come from several sources, each giving a post a score in [0, 1]:

- model: the active model's top posts for the person's vector, folded in from everything they
  did up to now, so a like moves the next feed at once (`feeds.candidates`: precomputed
  off the request path, recomputed when the person did something since);
- following / shared: recent posts by, and shares by, people they follow;
- groups: recent posts in their groups (recency and popularity);
- trending: `feeds.Trend` rows of kind post (none yet is fine);
- fresh: the newest posts anywhere, so a post the model has never seen reaches people at once;
- own: the person's own recent posts;
- popular and interests, for cold start only (no vector): this week's most liked posts and
  recent posts tagged with the person's declared interests.

The blended score is the sum of weight x source score (weights in DEFAULT_BLEND, overridden by
the arm's `blend`). The diverse arm then re-orders under hard caps (at most two posts by one
author and three on one hashtag in any ten in a row); the personalised arm gets a soft cap of
three posts by one author in any ten. Every candidate is read through
`social.selectors.visible_posts` (hidden posts, suspended authors, blocks, private groups)
minus muted people and posts the person was shown recently (impressions in the event log).

Each item's reason is the source that contributed most to its score, phrased from facts that
the candidate query itself established (who is followed, which group, which hashtag), so a
reason is never a guess.
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import CharField, Count, QuerySet, Value
from django.utils import timezone

from analytics.models import Event, EventKind
from feeds import candidates, serving
from feeds.experiments import Assignment
from feeds.models import Trend
from social import selectors
from social.models import Follow, Mute, Post, Share

DEFAULT_BLEND = {
    "model": 1.0,
    "following": 0.8,  # posts by, and shares by, people followed
    "groups": 0.5,
    "trending": 0.4,
    "fresh": 0.3,
    "own": 0.9,
    "popular": 0.4,  # cold start only
    "interests": 0.6,  # cold start only
}
WEIGHT_OF_SOURCE = {"shared": "following"}
# When two sources contribute equally, the more specific reason wins.
SOURCE_PRIORITY = [
    "own", "shared", "following", "groups", "model", "interests", "trending", "popular", "fresh",
]  # fmt: skip

FOLLOWING_LIMIT, FOLLOWING_DAYS = 200, 14
GROUP_LIMIT, GROUP_DAYS = 150, 14
SHARED_LIMIT = 100
FRESH_LIMIT, FRESH_HOURS = 100, 48
OWN_LIMIT = 20
POPULAR_LIMIT, POPULAR_DAYS = 100, 7
INTEREST_LIMIT, INTEREST_DAYS = 100, 14
TRENDING_LIMIT = 50
SEEN_HOURS = 24  # a post shown (an impression) this recently is not ranked again
SNAPSHOT_SIZE = 300
POPULAR_IN_GROUP_LIKES = 3  # "popular in Cooking" only with at least this many likes
POPULARITY_SCALE = 50  # likes + 2 x shares at which popularity reaches 1

WINDOW = 10
DIVERSE_AUTHOR_CAP = 2
DIVERSE_TOPIC_CAP = 3
PERSONALISED_AUTHOR_CAP = 3

FIELDS = (
    "id", "author_id", "author__username", "group_id", "group__name", "like_count",
    "share_count", "created_at",
)  # fmt: skip


@dataclass
class Candidate:
    id: int
    author_id: int
    author: str
    group_id: int | None
    group_name: str | None
    likes: int
    shares: int
    created_at: datetime
    sources: dict[str, float] = field(default_factory=dict)
    hashtags: frozenset[str] = frozenset()
    shared: dict | None = None  # who followed shared it: username, comment, at
    score: float = 0.0
    source: str = ""
    reason: str = ""

    @classmethod
    def from_row(cls, row: dict, **fields) -> "Candidate":
        """A candidate from one of the candidate queries' rows (`FIELDS`)."""
        return cls(
            id=row["id"],
            author_id=row["author_id"],
            author=row["author__username"],
            group_id=row["group_id"],
            group_name=row["group__name"],
            likes=row["like_count"],
            shares=row["share_count"],
            created_at=row["created_at"],
            **fields,
        )


@dataclass
class RankedFeed:
    items: list[Candidate]
    model_version: int | None  # set when the model placed the person and scored this feed
    cold_start: bool


def blend_weights(overrides) -> dict[str, float]:
    """The default weights with the arm's numeric overrides (anything else is ignored)."""
    weights = dict(DEFAULT_BLEND)
    for name, value in (overrides or {}).items():
        if name in weights and isinstance(value, int | float) and not isinstance(value, bool):
            weights[name] = max(float(value), 0.0)
    return weights


def recency(moment: datetime, now: datetime, half_life_hours: float) -> float:
    age_hours = max((now - moment).total_seconds() / 3600.0, 0.0)
    return 0.5 ** (age_hours / half_life_hours)


def popularity(likes: int, shares: int) -> float:
    return min(1.0, math.log1p(likes + 2 * shares) / math.log1p(POPULARITY_SCALE))


# --- candidate sources -----------------------------------------------------------------


def _model_candidates(viewer) -> tuple[dict[int, float], int | None]:
    """The model's top posts for the person, scores scaled to [0, 1] by the best one: the
    precomputed record when it is still exact, else folded in and retrieved now."""
    served = serving.current_model()
    if served is None:
        return {}, None
    record = candidates.for_person(served, viewer.pk)
    if record is None:
        return {}, None
    return scaled_model_scores(record.pairs), served.version_id


def scaled_model_scores(ranked) -> dict[int, float]:
    best = max((score for _, score in ranked), default=0.0)
    if best <= 0:
        return {}
    # A post the model scores at or below zero is not a recommendation, whatever its rank.
    return {post: score / best for post, score in ranked if score > 0}


def _trending() -> dict[int, float]:
    post_ids = list(
        Trend.objects.filter(kind=Trend.Kind.POST, post__isnull=False)
        .order_by("rank", "id")
        .values_list("post_id", flat=True)[:TRENDING_LIMIT]
    )
    count = len(post_ids)
    scores: dict[int, float] = {}
    for position, post_id in enumerate(post_ids):
        scores.setdefault(post_id, 1.0 - position / count)
    return scores


def _followees(viewer):
    return Follow.objects.filter(follower=viewer).values("followee_id")


def _muted(viewer):
    return Mute.objects.filter(muter=viewer).values("muted_id")


def _shared_by_followees(viewer, since) -> dict[int, dict]:
    """The latest share of each post by someone the person follows (and has not muted)."""
    rows = (
        Share.objects.filter(user_id__in=_followees(viewer), created_at__gte=since)
        .filter(user__is_active=True)
        .exclude(user_id__in=_muted(viewer))
        .order_by("-created_at")
        .values_list("post_id", "user__username", "comment", "created_at")[:SHARED_LIMIT]
    )
    shared: dict[int, dict] = {}
    for post_id, username, comment, at in rows:
        shared.setdefault(post_id, {"username": username, "comment": comment, "at": at})
    return shared


def seen_recently(viewer, now):
    """Posts the person was shown (an impression) in the last SEEN_HOURS."""
    return Event.objects.filter(
        user=viewer,
        kind=EventKind.IMPRESSION,
        created_at__gte=now - timedelta(hours=SEEN_HOURS),
        post_id__isnull=False,
    ).values("post_id")


def _branch(queryset: QuerySet, source: str) -> QuerySet:
    return queryset.values(*FIELDS, src=Value(source, output_field=CharField()))


def _candidate_rows(viewer, now, *, by_id: set[int], cold: bool, visible=None) -> list[dict]:
    """Every source's posts in one query (a UNION ALL of ordered, limited branches), each
    through the one visibility rule, minus muted people and posts seen recently."""
    base = (
        (selectors.visible_posts(viewer) if visible is None else visible)
        .exclude(author_id__in=_muted(viewer))
        .exclude(pk__in=seen_recently(viewer, now))
    )
    fresh_since = now - timedelta(hours=FRESH_HOURS)
    newest = ("-id",)
    branches = [
        _branch(
            base.filter(
                author_id__in=_followees(viewer),
                created_at__gte=now - timedelta(days=FOLLOWING_DAYS),
            ).order_by(*newest)[:FOLLOWING_LIMIT],
            "following",
        ),
        _branch(
            base.filter(
                group_id__in=selectors.member_group_ids(viewer),
                created_at__gte=now - timedelta(days=GROUP_DAYS),
            ).order_by(*newest)[:GROUP_LIMIT],
            "groups",
        ),
        _branch(
            base.filter(author=viewer, created_at__gte=fresh_since).order_by(*newest)[:OWN_LIMIT],
            "own",
        ),
        _branch(base.filter(created_at__gte=fresh_since).order_by(*newest)[:FRESH_LIMIT], "fresh"),
    ]
    if cold:
        branches.append(
            _branch(
                base.filter(
                    created_at__gte=now - timedelta(days=POPULAR_DAYS), like_count__gt=0
                ).order_by("-like_count", "-id")[:POPULAR_LIMIT],
                "popular",
            )
        )
        interests = _interests(viewer)
        if interests:
            tagged = Post.hashtags.through.objects.filter(hashtag__name__in=interests)
            branches.append(
                _branch(
                    base.filter(
                        pk__in=tagged.values("post_id"),
                        created_at__gte=now - timedelta(days=INTEREST_DAYS),
                    ).order_by(*newest)[:INTEREST_LIMIT],
                    "interests",
                )
            )
    if by_id:
        branches.append(_branch(base.filter(pk__in=sorted(by_id)), "by_id"))
    if connection.features.supports_slicing_ordering_in_compound:
        first, *rest = branches
        return list(first.union(*rest, all=True))
    return [row for branch in branches for row in branch]  # SQLite: one query per source


def _interests(viewer) -> list[str]:
    interests = viewer.interests if isinstance(viewer.interests, list) else []
    words = {str(word).strip().lstrip("#").lower() for word in interests}
    return sorted(word for word in words if word)[:50]


def _hashtags_of(post_ids) -> dict[int, frozenset[str]]:
    tags: dict[int, set[str]] = {}
    rows = Post.hashtags.through.objects.filter(post_id__in=post_ids).values_list(
        "post_id", "hashtag__name"
    )
    for post_id, name in rows:
        tags.setdefault(post_id, set()).add(name)
    return {post_id: frozenset(names) for post_id, names in tags.items()}


def liked_hashtags(viewer) -> Counter:
    """How many of the posts the person likes (now) carry each hashtag."""
    rows = (
        Post.hashtags.through.objects.filter(post__likes__user=viewer)
        .values("hashtag__name")
        .annotate(posts=Count("post_id", distinct=True))
        .order_by("-posts", "hashtag__name")[:200]
    )
    return Counter({row["hashtag__name"]: row["posts"] for row in rows})


# --- scoring and reasons ---------------------------------------------------------------


def _source_score(source: str, candidate: Candidate, now: datetime) -> float:
    if source in ("following", "own"):
        return recency(candidate.created_at, now, 24)
    if source == "shared":
        return recency(candidate.shared["at"], now, 24)
    if source == "groups":
        return 0.5 * recency(candidate.created_at, now, 24) + 0.5 * popularity(
            candidate.likes, candidate.shares
        )
    if source == "fresh":
        return recency(candidate.created_at, now, 6)
    if source == "popular":
        return popularity(candidate.likes, candidate.shares)
    if source == "interests":  # declared taste ages slowly: a week's half-life
        return recency(candidate.created_at, now, 24 * 7)
    raise ValueError(source)


def _reason(source: str, candidate: Candidate, *, liked: Counter, interests: list[str]) -> str:
    if source == "model":
        shared_tags = [tag for tag in candidate.hashtags if liked[tag] > 0]
        if shared_tags:
            tag = max(shared_tags, key=lambda t: (liked[t], t))
            return f"because you liked posts about #{tag}"
        return "because people with similar taste liked it"
    if source == "following":
        return f"from @{candidate.author}, whom you follow"
    if source == "shared":
        return f"shared by @{candidate.shared['username']}, whom you follow"
    if source == "groups":
        if candidate.likes >= POPULAR_IN_GROUP_LIKES:
            return f"popular in {candidate.group_name}"
        return f"from your group {candidate.group_name}"
    if source == "trending":
        return "trending now"
    if source == "fresh":
        return f"new from @{candidate.author}"
    if source == "own":
        return "your post"
    if source == "popular":
        return "popular this week"
    if source == "interests":
        tag = min(candidate.hashtags & set(interests))
        return f"about #{tag}, one of your interests"
    raise ValueError(source)


def diversify(
    items, *, author_cap: int, topic_cap: int | None, strict: bool, limit: int, window=WINDOW
):
    """Best first, but no author more than `author_cap` times (and no hashtag more than
    `topic_cap` times) in any `window` items in a row. Strict: what cannot be placed is left
    out; otherwise the best remaining item is placed anyway when nothing fits."""
    remaining = list(items)
    placed: list[Candidate] = []
    while remaining and len(placed) < limit:
        recent = placed[-(window - 1) :] if window > 1 else []
        authors = Counter(item.author_id for item in recent)
        topics = Counter(tag for item in recent for tag in item.hashtags)

        def fits(item, authors=authors, topics=topics) -> bool:
            if authors[item.author_id] >= author_cap:
                return False
            return topic_cap is None or all(topics[tag] < topic_cap for tag in item.hashtags)

        index = next((i for i, item in enumerate(remaining) if fits(item)), None)
        if index is None:
            if strict:
                break
            index = 0
        placed.append(remaining.pop(index))
    return placed


# --- the ranker ------------------------------------------------------------------------


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
    trending = _trending()
    shared = _shared_by_followees(viewer, now - timedelta(days=FOLLOWING_DAYS))
    by_id = set(model_scores) | set(trending) | set(shared)
    candidates: dict[int, Candidate] = {}
    for row in _candidate_rows(viewer, now, by_id=by_id, cold=cold, visible=visible):
        candidate = candidates.get(row["id"])
        if candidate is None:
            candidate = candidates[row["id"]] = Candidate.from_row(row)
        if row["src"] != "by_id":
            candidate.sources[row["src"]] = 0.0
    tags = _hashtags_of(list(candidates)) if candidates else {}
    interests = _interests(viewer)
    for candidate in candidates.values():
        candidate.hashtags = tags.get(candidate.id, frozenset())
        if candidate.id in model_scores:
            candidate.sources["model"] = model_scores[candidate.id]
        if candidate.id in trending:
            candidate.sources["trending"] = trending[candidate.id]
        if candidate.id in shared:
            candidate.shared = shared[candidate.id]
            candidate.sources["shared"] = 0.0
        if "interests" in candidate.sources and not candidate.hashtags & set(interests):
            del candidate.sources["interests"]
        if candidate.author_id == viewer.pk:  # one's own posts: only as "your post"
            candidate.sources = {k: v for k, v in candidate.sources.items() if k == "own"}
    liked = (
        liked_hashtags(viewer)
        if any("model" in c.sources for c in candidates.values())
        else Counter()
    )
    ranked = []
    for candidate in candidates.values():
        if not candidate.sources:
            continue
        contributions = {}
        for source, score in candidate.sources.items():
            if source not in ("model", "trending"):
                score = _source_score(source, candidate, now)
            contributions[source] = weights[WEIGHT_OF_SOURCE.get(source, source)] * score
        candidate.score = sum(contributions.values())
        candidate.source = max(  # the largest contribution; on a tie, the more specific
            contributions, key=lambda s: (contributions[s], -SOURCE_PRIORITY.index(s))
        )
        candidate.reason = _reason(candidate.source, candidate, liked=liked, interests=interests)
        ranked.append(candidate)
    ranked.sort(key=lambda c: (-c.score, -c.id))
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
