"""The campaigns that can serve, held by each web process as arrays for a fast auction.

Reading 1,000 campaigns, their topics and their ads on every feed page would cost more than
the whole auction may take. So each process keeps an index (numpy arrays, one row per
campaign) and rebuilds it only when something that decides serving changes: a campaign's
settings or state, a review, the day, or the active feed model (topic vectors live in its
space). Writers call `changed()`; after their transaction commits, a new version token goes
into the shared cache, and every process sees it on its next auction.

A missing token means "no campaign has changed since the cache was emptied": the auction
then serves nothing and costs no query at all, which keeps pages without ads exactly as
cheap as before. The periodic housekeeping task (`ads.housekeeping`, every minute) puts the
token back if the cache lost it while campaigns are live.

Money is NOT in the index: spend and budgets are read fresh for the few campaigns that pass
targeting (ads.billing.live_budgets), and the charge itself is checked by the database.
"""

import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from accounts.models import AgeBracket, Region
from ads.models import Campaign, Creative
from flywheel import resilient_cache
from flywheel.recent import forget_recent, recent
from social.models import Comment, Like, Post, Share

VERSION_KEY = "ads:index-version"
TOPIC_POSTS = 200  # newest posts per hashtag that make its vector in the feed model's space
LOOKALIKE_ENGAGERS = 5000  # newest engagements per lookalike advertiser
INDEX_COLUMNS = (
    "id", "advertiser_id", "advertiser__user_id", "advertiser__name", "bid_type",
    "frequency_cap", "age_brackets", "regions", "lookalike",
)  # fmt: skip


def publish() -> None:
    """A new version: every process rebuilds its index on its next auction."""
    cache.set(VERSION_KEY, secrets.token_hex(8), None)


def changed() -> None:
    """Something that decides serving changed: publish a new version after commit (a
    rolled-back change must not, and a process must not rebuild before it can see it)."""
    transaction.on_commit(publish)


def ensure_version() -> None:
    """Put a token back if the cache lost it (the housekeeping task calls this)."""
    if Campaign.objects.filter(state=Campaign.State.ACTIVE).exists():
        cache.add(VERSION_KEY, secrets.token_hex(8), None)


@dataclass
class CampaignIndex:
    token: str
    day: date
    feed_version: int | None
    ids: np.ndarray  # int64, ascending
    advertiser_ids: np.ndarray
    advertiser_user_ids: np.ndarray
    advertiser_names: list[str]
    cpc: np.ndarray  # bool: pays per click (else per thousand impressions)
    frequency_cap: np.ndarray
    topics: list[tuple[str, ...]]
    vocabulary: dict[str, int]  # topic name -> column of topic_matrix
    tag_names: dict[int, str]  # hashtag id -> name, for the topics some campaign targets
    topic_matrix: np.ndarray  # bool, campaigns x vocabulary
    untargeted_topics: np.ndarray  # bool: no topic targeting
    age_ok: dict[str, np.ndarray]  # age bracket -> bool per campaign
    region_ok: dict[str, np.ndarray]
    uses_personal_data: np.ndarray  # bool: age, region or lookalike targeting
    lookalike: np.ndarray  # bool
    engagers: list[frozenset[int]]  # lookalike: who engaged with the advertiser's posts
    audience_vectors: np.ndarray | None  # lookalike: their mean taste (unit vectors)
    topic_vectors: np.ndarray | None  # each campaign's topics in the feed space (unit)
    creatives: list[list[dict]]
    row_of: dict[int, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)


_held: dict[str, CampaignIndex] = {}
_lock = threading.Lock()


def index_token() -> str | None:
    """The current version of the index; None while nothing can serve (no query).

    While the shared cache is away no change can be announced, so each process rebuilds its
    index once a minute instead (ads keep serving; a change shows within the minute). When the
    cache is back its token differs from the minute token, so every process rebuilds once."""
    token = cache.get(VERSION_KEY)
    if resilient_cache.degraded():
        return f"cache-away:{int(time.time() // 60)}"
    return token


def current_index(today: date, feed=None, token: str | None = None) -> CampaignIndex | None:
    """This process's index, rebuilt if stale; None when nothing can serve. `feed` is the
    active feed model (feeds.serving.ServedModel) or None; `token` from index_token()."""
    token = token or index_token()
    if token is None:
        return None
    feed_version = feed.version_id if feed is not None else None
    held = _held.get("index")
    if held and (held.token, held.day, held.feed_version) == (token, today, feed_version):
        return held
    with _lock:
        held = _held.get("index")
        if held and (held.token, held.day, held.feed_version) == (token, today, feed_version):
            return held
        held = build_index(token=token, today=today, feed=feed)
        _held["index"] = held
        return held


def forget() -> None:
    """Drop this process's index and recent reads (tests)."""
    _held.clear()
    forget_recent()


SERVING_REFRESH_SECONDS = 2.0


def serving_refresh_seconds() -> float:
    """How stale `recent` reads may be: ADS_SERVING_REFRESH_SECONDS, 2 s unless set."""
    return getattr(settings, "ADS_SERVING_REFRESH_SECONDS", SERVING_REFRESH_SECONDS)


def serving_token() -> str | None:
    """`index_token()` as serving reads it: at most ADS_SERVING_REFRESH_SECONDS old, so most
    pages ask the cache nothing. None while no campaign can serve anyone."""
    return recent(("token",), index_token, serving_refresh_seconds())


def build_index(*, token: str, today: date, feed=None) -> CampaignIndex:
    """Read every servable campaign: active, within its dates, with an approved ad."""
    approved = Creative.objects.filter(
        campaign=OuterRef("pk"), review_state=Creative.Review.APPROVED
    )
    rows = list(
        Campaign.objects.filter(
            state=Campaign.State.ACTIVE, starts_on__lte=today, ends_on__gte=today
        )
        .filter(Exists(approved))
        .order_by("id")
        .values_list(*INDEX_COLUMNS)
    )
    ids = [row[0] for row in rows]
    topics: dict[int, list[str]] = {pk: [] for pk in ids}
    creatives: dict[int, list[dict]] = {pk: [] for pk in ids}
    tag_names: dict[int, str] = {}
    if ids:
        through = Campaign.topics.through.objects.filter(campaign_id__in=ids)
        for campaign_id, tag_id, name in through.values_list(
            "campaign_id", "hashtag_id", "hashtag__name"
        ):
            topics[campaign_id].append(name)
            tag_names[tag_id] = name
        for creative in Creative.objects.filter(
            campaign_id__in=ids, review_state=Creative.Review.APPROVED
        ).values("id", "campaign_id", "headline", "text", "link", "image"):
            creatives[creative["campaign_id"]].append(creative)
    vocabulary, matrix = topic_matrix([topics[pk] for pk in ids])
    ages = [set(row[6] or []) for row in rows]
    regions = [set(row[7] or []) for row in rows]
    lookalike = np.array([bool(row[8]) for row in rows], dtype=bool)
    user_ids = np.array([row[2] for row in rows], dtype=np.int64)
    engagers = _engagers(user_ids, lookalike)
    index = CampaignIndex(
        token=token,
        day=today,
        feed_version=feed.version_id if feed is not None else None,
        ids=np.array(ids, dtype=np.int64),
        advertiser_ids=np.array([row[1] for row in rows], dtype=np.int64),
        advertiser_user_ids=user_ids,
        advertiser_names=[row[3] for row in rows],
        cpc=np.array([row[4] == Campaign.BidType.CPC for row in rows], dtype=bool),
        frequency_cap=np.array([row[5] for row in rows], dtype=np.int64),
        topics=[tuple(sorted(topics[pk])) for pk in ids],
        vocabulary=vocabulary,
        tag_names=tag_names,
        topic_matrix=matrix,
        untargeted_topics=~matrix.any(axis=1) if len(ids) else np.zeros(0, dtype=bool),
        age_ok=_allowed_by(ages, AgeBracket.values),
        region_ok=_allowed_by(regions, Region.values),
        uses_personal_data=np.array(
            [
                bool(a) or bool(r) or bool(row[8])
                for a, r, row in zip(ages, regions, rows, strict=True)
            ],
            dtype=bool,
        ),
        lookalike=lookalike,
        engagers=engagers,
        audience_vectors=None,
        topic_vectors=None,
        creatives=[creatives[pk] for pk in ids],
        row_of={pk: row for row, pk in enumerate(ids)},
    )
    if feed is not None and len(ids):
        index.topic_vectors = campaign_topic_vectors(index.vocabulary, index.topic_matrix, feed)
        index.audience_vectors = _audience_vectors(index, feed)
    return index


def _allowed_by(targeted: list[set], values) -> dict[str, np.ndarray]:
    """For each value a person may have (undisclosed included): which campaigns accept it.
    A campaign without targeting on this dimension accepts everyone."""
    return {
        value: np.array([not chosen or value in chosen for chosen in targeted], dtype=bool)
        for value in values
    }


def _engagers(user_ids: np.ndarray, lookalike: np.ndarray) -> list[frozenset[int]]:
    """For lookalike campaigns: who liked, shared or commented on the advertiser's posts."""
    owners = {int(user) for user, wanted in zip(user_ids, lookalike, strict=True) if wanted}
    found: dict[int, set[int]] = {owner: set() for owner in owners}
    if owners:
        for model in (Like, Share, Comment):
            author = "post__author_id"
            person = "user_id" if model is not Comment else "author_id"
            pairs = (
                model.objects.filter(post__author_id__in=owners)
                .exclude(**{person + "__in": owners})
                .order_by("-id")
                .values_list(author, person)[:LOOKALIKE_ENGAGERS]
            )
            for owner, who in pairs:
                found[owner].add(who)
    return [
        frozenset(found.get(int(user), ())) if wanted else frozenset()
        for user, wanted in zip(user_ids, lookalike, strict=True)
    ]


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def topic_matrix(topics_per_campaign: list) -> tuple[dict[str, int], np.ndarray]:
    """The topic vocabulary and a campaigns x vocabulary matrix of which campaign targets
    which topic."""
    vocabulary: dict[str, int] = {}
    for names in topics_per_campaign:
        for name in sorted(names):
            vocabulary.setdefault(name, len(vocabulary))
    matrix = np.zeros((len(topics_per_campaign), len(vocabulary)), dtype=bool)
    for row, names in enumerate(topics_per_campaign):
        matrix[row, [vocabulary[name] for name in names]] = True
    return vocabulary, matrix


def campaign_topic_vectors(vocabulary: dict[str, int], matrix: np.ndarray, feed) -> np.ndarray:
    """Each campaign's topics as one unit vector in the feed model's item space: the mean of
    the factors of the newest posts carrying those hashtags (zero if the model knows none).
    Serving and training both compute it here, so the targeter sees the same feature."""
    model = feed.model
    factors = model.item_factors.shape[1]
    by_topic = topic_post_ids(list(vocabulary))
    topic_vectors = np.zeros((len(vocabulary), factors), dtype=np.float32)
    for name, column in vocabulary.items():
        cols = [c for c in (model.post_col(p) for p in by_topic.get(name, ())) if c is not None]
        if cols:
            topic_vectors[column] = np.asarray(model.item_factors[np.array(cols)]).mean(axis=0)
    topic_vectors = _unit(topic_vectors)
    return _unit(matrix.astype(np.float32) @ topic_vectors)


def person_vectors(feed, user_ids) -> np.ndarray:
    """People's tastes as unit vectors in the feed model's space (zero for someone it does
    not know)."""
    model = feed.model
    vectors = np.zeros((len(user_ids), model.user_factors.shape[1]), dtype=np.float32)
    for i, user_id in enumerate(user_ids):
        row = model.user_row(int(user_id))
        if row is not None:
            vectors[i] = model.user_factors[row]
    return _unit(vectors)


def _audience_vectors(index: CampaignIndex, feed) -> np.ndarray:
    """Lookalike campaigns: the mean taste of the people who engage with the advertiser."""
    model = feed.model
    vectors = np.zeros((len(index), model.user_factors.shape[1]), dtype=np.float32)
    for row in np.flatnonzero(index.lookalike):
        rows = [r for r in (model.user_row(p) for p in index.engagers[row]) if r is not None]
        if rows:
            found = _unit(np.asarray(model.user_factors[np.array(sorted(rows))]))
            vectors[row] = found.mean(axis=0)
    return _unit(vectors)


def topic_post_ids(names: list[str]) -> dict[str, list[int]]:
    """The newest TOPIC_POSTS post ids of each hashtag, in one query."""
    if not names:
        return {}
    through = Post.hashtags.through._meta.db_table
    placeholders = ", ".join(["%s"] * len(names))
    sql = (
        "SELECT name, post_id FROM ("
        f" SELECT h.name, t.post_id, ROW_NUMBER() OVER ("
        "   PARTITION BY t.hashtag_id ORDER BY t.post_id DESC) AS n"
        f" FROM {through} t JOIN social_hashtag h ON h.id = t.hashtag_id"
        f" WHERE h.name IN ({placeholders})) ranked WHERE n <= %s"
    )
    found: dict[str, list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*names, TOPIC_POSTS])
        for name, post_id in cursor.fetchall():
            found.setdefault(name, []).append(post_id)
    return found
