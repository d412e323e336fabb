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
three posts by one author in any ten; the learned arm orders the personalised arm's candidates
by the learned ranker's predicted engagement (feeds.learned) before the same soft cap.
feeds.home_ranking puts the steps together. Every candidate comes from `feeds.candidate_pool` (one
prepared statement on PostgreSQL) through the visibility rule (hidden posts, suspended
authors, blocks, private groups) minus muted people and posts the person was shown recently
(impressions in the event log).

Each item's reason is the source that contributed most to its score, phrased from facts that
the candidate query itself established (who is followed, which group, which hashtag), so a
reason is never a guess, whichever order the arm then gives the items.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

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

SNAPSHOT_SIZE = 300
POPULAR_IN_GROUP_LIKES = 3  # "popular in Cooking" only with at least this many likes
POPULARITY_SCALE = 50  # likes + 2 x shares at which popularity reaches 1

WINDOW = 10
DIVERSE_AUTHOR_CAP = 2
DIVERSE_TOPIC_CAP = 3
PERSONALISED_AUTHOR_CAP = 3


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
    impressions: int = 0  # times shown, a minute or two behind (events.roll_ups)
    read_ms: int = 0  # time spent reading it, as behind
    expected_read_ms: int = 0  # its viewers' usual time on its hashtags (feeds.PostAudience)
    sources: dict[str, float] = field(default_factory=dict)
    hashtags: frozenset[str] = frozenset()
    shared: dict | None = None  # who followed shared it: username, comment, at
    liked_tag: str | None = None  # the person's most liked hashtag on it, if any
    liked_share: float = 0.0  # feeds.candidate_pool.liked_share of its hashtags
    topic_read_time: float = 0.0  # the person's seconds per view of its hashtags
    topic_views: float = 0.0  # log(1 + their views of its hashtags) (feeds.topic_engagement)
    features: np.ndarray | None = None  # feeds.ranker_features.FEATURES, when computed
    engagement: float | None = None  # the learned ranker's prediction (feeds.learned)
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
            impressions=row["impression_count"],
            read_ms=row["read_ms"],
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


def popularity(likes, shares):
    """Likes and shares on a log scale, 1 from POPULARITY_SCALE on: numbers or arrays."""
    return np.minimum(1.0, np.log1p(likes + 2 * shares) / math.log1p(POPULARITY_SCALE))


# --- candidate sources -----------------------------------------------------------------


def scaled_model_scores(ranked) -> dict[int, float]:
    best = max((score for _, score in ranked), default=0.0)
    if best <= 0:
        return {}
    # A post the model scores at or below zero is not a recommendation, whatever its rank.
    return {post: score / best for post, score in ranked if score > 0}


# --- scoring and reasons ---------------------------------------------------------------

# Half-lives (hours) of the sources scored by recency, and whether popularity counts too.
_INTERESTS_HOURS = 24 * 7  # declared taste ages slowly: a week's half-life


_SOURCE_COLUMN = {source: column for column, source in enumerate(SOURCE_PRIORITY)}
_SCORES_GIVEN = ("model", "trending")  # scores that come with the candidate


def source_scores(candidates: list[Candidate], *, now: datetime) -> np.ndarray:
    """Each candidate's score from each source that found it (columns in SOURCE_PRIORITY
    order), NaN where a source did not. The blend weighs them (`score_and_explain`); the
    learned ranker reads them as features (feeds.ranker_features). One pass over the
    candidates reads which sources found each; the scores are then computed on arrays."""
    count = len(candidates)
    now_ts = now.timestamp()
    created = np.array([c.created_at.timestamp() for c in candidates], dtype=float)
    shared_at = np.array(
        [c.shared["at"].timestamp() if c.shared else now_ts for c in candidates], dtype=float
    )
    likes = np.array([c.likes for c in candidates], dtype=float)
    shares = np.array([c.shares for c in candidates], dtype=float)
    rows, columns, values = [], [], []
    for row, candidate in enumerate(candidates):
        for source, value in candidate.sources.items():
            column = _SOURCE_COLUMN.get(source)
            if column is not None:
                rows.append(row)
                columns.append(column)
                values.append(value)
    found = np.zeros((count, len(SOURCE_PRIORITY)), dtype=bool)
    given = np.zeros((count, len(SOURCE_PRIORITY)))
    found[rows, columns] = True
    given[rows, columns] = values

    def recency(moments, half_life_hours):
        age_hours = np.maximum((now_ts - moments) / 3600.0, 0.0)
        return 0.5 ** (age_hours / half_life_hours)

    popular = popularity(likes, shares)
    recent = recency(created, 24)
    by_source = {
        "own": recent,
        "shared": recency(shared_at, 24),
        "following": recent,
        "groups": 0.5 * recent + 0.5 * popular,
        "interests": recency(created, _INTERESTS_HOURS),
        "popular": popular,
        "fresh": recency(created, 6),
    }
    scores = np.full((count, len(SOURCE_PRIORITY)), np.nan)
    for column, source in enumerate(SOURCE_PRIORITY):
        has = found[:, column]
        if has.any():
            values = given[:, column] if source in _SCORES_GIVEN else by_source[source]
            scores[:, column] = np.where(has, values, np.nan)
    return scores


def score_and_explain(
    candidates: list[Candidate],
    *,
    weights: dict[str, float],
    now: datetime,
    interests,
    scores: np.ndarray | None = None,
) -> list[Candidate]:
    """Each candidate's blended score, its largest contribution (`source`; on a tie the more
    specific, SOURCE_PRIORITY) and that source's reason; best first (ties: newest id).
    `scores` are the candidates' `source_scores`, if the caller already has them."""
    if not candidates:
        return []
    if scores is None:
        scores = source_scores(candidates, now=now)
    column_weights = np.array(
        [weights[WEIGHT_OF_SOURCE.get(source, source)] for source in SOURCE_PRIORITY]
    )
    present = ~np.isnan(scores)
    contributions = np.where(present, scores * column_weights, -np.inf)
    totals = np.where(present, contributions, 0.0).sum(axis=1)
    best = contributions.argmax(axis=1)  # the first of equals: the more specific source
    for row, candidate in enumerate(candidates):
        candidate.score = float(totals[row])
        candidate.source = SOURCE_PRIORITY[best[row]]
        candidate.reason = _reason(candidate.source, candidate, interests=interests)
    count = len(candidates)
    ids = np.fromiter((c.id for c in candidates), np.int64, count)
    order = np.lexsort((-ids, -totals))
    return [candidates[index] for index in order]


def _reason(source: str, candidate: Candidate, *, interests: list[str]) -> str:
    if source == "model":
        if candidate.liked_tag:
            return f"because you liked posts about #{candidate.liked_tag}"
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
    out; otherwise the best remaining item is placed anyway when nothing fits. The counts of
    the last `window - 1` placed items are kept as they slide, not recounted per item."""
    remaining = list(items)
    placed: list[Candidate] = []
    authors: dict[int, int] = {}
    topics: dict[str, int] = {}
    behind = window - 1  # the placed items a new one must fit beside

    def fits(item) -> bool:
        if authors.get(item.author_id, 0) >= author_cap:
            return False
        return topic_cap is None or all(topics.get(tag, 0) < topic_cap for tag in item.hashtags)

    while remaining and len(placed) < limit:
        index = next((i for i, item in enumerate(remaining) if fits(item)), None)
        if index is None:
            if strict:
                break
            index = 0
        item = remaining.pop(index)
        placed.append(item)
        if behind > 0:
            authors[item.author_id] = authors.get(item.author_id, 0) + 1
            for tag in item.hashtags:
                topics[tag] = topics.get(tag, 0) + 1
            if len(placed) > behind:
                leaving = placed[-behind - 1]
                authors[leaving.author_id] -= 1
                for tag in leaving.hashtags:
                    topics[tag] -= 1
    return placed
