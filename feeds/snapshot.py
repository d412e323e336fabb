"""Stable pages while scrolling: a person's ranked feed is computed once, kept as a snapshot,
and paged by position in it.

Ranking again for every page would move posts between pages as scores shift (a like, a new
post, a new model), and people would see repeats and miss posts. So the first page ranks and
stores the whole list (post ids, reasons, the model version and the arm) in the cache for a
few minutes, keyed by person and snapshot id; the cursor is a signed (snapshot id, position).
New posts wait for the next first page. If a snapshot has expired when its next page is
asked for, a fresh one is ranked and paging starts at its top: what the person was shown is
in the event log as impressions, so the fresh ranking leaves it out. A cache that is down
is the same as an expired snapshot: every page is then a fresh first page, never an error.

Sponsored slots: every SPONSORED_EVERY-th position is reserved for an ad (the ads issue
fills them). Until then slots are kept in the snapshot, so positions stay where ads will be,
and left out of the rendered pages. Positions (for impression logging) count the slots.
"""

import secrets
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.utils import timezone

from feeds.arms import ranker_for
from feeds.experiments import Assignment
from feeds.home_ranking import rank_home
from feeds.ranking import Candidate
from flywheel import soft_cache
from flywheel.pagination import BadCursor

SNAPSHOT_SECONDS = 10 * 60
SPONSORED_EVERY = 6
SPONSORED = "sponsored"
CURSOR_SALT = "feeds.snapshot.cursor"
CACHED_FORM = 2  # the cached dict's layout: others (older deployments) read as expired
SLOT_ROW = (0, None, None, None, None)


class Entries(Sequence):
    """A snapshot's entries, as dicts ({"post", "reason", "source", "shared"?, "features"?}
    or {"slot": "sponsored"}), kept as columns and each made when it is read: a page reads
    about 20 of a few hundred. Kept as a list of dicts, a snapshot took 150 us to unpickle
    on every page and 30 KB in the cache (each reason written out again, each feature row an
    object of its own)."""

    def __init__(self, *, posts: bytes, reasons: list, sources: list, shared: dict,
                 features: bytes | list | None, width: int):  # fmt: skip
        self._posts = array("q", posts)  # 0 marks a sponsored slot
        self._reasons, self._sources, self._shared = reasons, sources, shared
        # One blob of `width` bytes an entry when every post has a row of that length (the
        # ranked arms), else a list with None where there is no row, or None for no rows.
        self._features, self._width = features, width

    @classmethod
    def from_dicts(cls, entries: list[dict]) -> "Entries":
        """Entries given as their dicts, slots where they are (tests; arms from outside)."""
        return cls._packed(
            (entry.get("post", 0), entry.get("reason"), entry.get("source"),
             entry.get("shared"), entry.get("features"))
            for entry in entries
        )  # fmt: skip

    @classmethod
    def laid_out(cls, ranked: list[Candidate]) -> "Entries":
        """The ranked candidates with every SPONSORED_EVERY-th position (6th, 12th, ...) a
        sponsored slot, between posts."""

        def rows():
            position = 0
            for item in ranked:
                position += 1
                if position % SPONSORED_EVERY == 0:
                    yield SLOT_ROW
                    position += 1
                # the features are logged when served (feeds.ranker_log): 4 bytes each
                features = None if item.features is None else item.features.tobytes()
                yield item.id, item.reason, item.source, item.shared or None, features

        return cls._packed(rows())

    @classmethod
    def _packed(cls, rows) -> "Entries":
        """From (post, reason, source, shared, features) rows, post 0 for a slot."""
        texts: dict[str, str] = {}  # one object per distinct text: pickle writes it once
        posts, reasons, sources, shared, features = array("q"), [], [], {}, []
        for index, (post, reason, source, shared_by, row) in enumerate(rows):
            posts.append(post)
            reasons.append(texts.setdefault(reason, reason) if post else None)
            sources.append(texts.setdefault(source, source) if post else None)
            if shared_by is not None:
                shared[index] = shared_by
            features.append(row)
        post_rows = [row for row, post in zip(features, posts, strict=True) if post]
        widths = {len(row) for row in post_rows if row is not None}
        blob, width = features if widths else None, 0
        if len(widths) == 1 and None not in post_rows:
            width = widths.pop()
            blob = b"".join(row if row is not None else bytes(width) for row in features)
        return cls(posts=posts.tobytes(), reasons=reasons, sources=sources, shared=shared,
                   features=blob, width=width)  # fmt: skip

    def columns(self) -> dict:
        return {
            "posts": self._posts.tobytes(),
            "reasons": self._reasons,
            "sources": self._sources,
            "shared": self._shared,
            "features": self._features,
            "width": self._width,
        }

    def __len__(self) -> int:
        return len(self._posts)

    def is_post(self, index: int) -> bool:
        return self._posts[index] != 0

    @property
    def post_count(self) -> int:
        return len(self._posts) - self._posts.count(0)

    def has_post_from(self, index: int) -> bool:
        return any(self._posts[index:])

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        post = self._posts[index]
        if post == 0:
            return {"slot": SPONSORED}
        entry = {"post": post, "reason": self._reasons[index], "source": self._sources[index]}
        if index in self._shared:
            entry["shared"] = self._shared[index]
        if self._width:
            entry["features"] = self._features[index * self._width : (index + 1) * self._width]
        elif self._features is not None and self._features[index] is not None:
            entry["features"] = self._features[index]
        return entry


@dataclass
class Snapshot:
    id: str
    user_id: int
    arm: str
    model_version: int | None
    entries: Entries  # may be given as a list of Entries' dicts
    created_at: datetime

    def __post_init__(self):
        if not isinstance(self.entries, Entries):
            self.entries = Entries.from_dicts(self.entries)

    def window(self, position: int, size: int) -> tuple[list[tuple[int, dict]], int | None]:
        """Up to `size` posts from `position` on (slots skipped), each with its position, and
        where the next page starts (None at the end)."""
        found: list[tuple[int, dict]] = []
        index = max(position, 0)
        while index < len(self.entries) and len(found) < size:
            if self.entries.is_post(index):
                found.append((index, self.entries[index]))
            index += 1
        return found, index if self.entries.has_post_from(index) else None

    def previous_position(self, position: int, size: int) -> int | None:
        """Where the page of `size` posts before `position` starts (None on the first page)."""
        if position <= 0:
            return None
        index, count = min(position, len(self.entries)), 0
        while index > 0 and count < size:
            index -= 1
            if self.entries.is_post(index):
                count += 1
        return index

    @property
    def post_count(self) -> int:
        return self.entries.post_count

    def as_cached(self) -> dict:
        return {
            "form": CACHED_FORM,
            "id": self.id,
            "user_id": self.user_id,
            "arm": self.arm,
            "model_version": self.model_version,
            "entries": self.entries.columns(),
            "created_at": self.created_at,
        }

    @classmethod
    def from_cached(cls, data: dict) -> "Snapshot":
        fields = {name: value for name, value in data.items() if name != "form"}
        return cls(**{**fields, "entries": Entries(**data["entries"])})


def cache_key(user_id: int, snapshot_id: str) -> str:
    return f"feeds:home-snapshot:{int(user_id)}:{snapshot_id}"


def build_snapshot(viewer, assignment: Assignment, *, now=None, visible=None) -> Snapshot:
    """Rank the person's feed now and keep it for SNAPSHOT_SECONDS."""
    plugged = ranker_for(assignment.strategy)  # an arm plugged in from outside feeds
    if plugged is not None:
        ranked = plugged(viewer, now=now, visible=visible)
    else:
        ranked = rank_home(viewer, assignment, now=now, visible=visible)
    snapshot = Snapshot(
        id=secrets.token_urlsafe(9),
        user_id=viewer.pk,
        arm=assignment.arm,
        model_version=ranked.model_version,
        entries=Entries.laid_out(ranked.items),
        created_at=now or timezone.now(),
    )
    soft_cache.set(cache_key(viewer.pk, snapshot.id), snapshot.as_cached(), SNAPSHOT_SECONDS)
    return snapshot


def load_snapshot(user_id: int, snapshot_id: str) -> Snapshot | None:
    """The person's snapshot if it is still kept. Someone still scrolling past half its
    lifetime gets a fresh lifetime (earlier, the touch would be a round trip for nothing)."""
    key = cache_key(user_id, snapshot_id)
    data = soft_cache.get(key)
    if not isinstance(data, dict) or data.get("form") != CACHED_FORM:
        return None
    if data.get("user_id") != user_id:
        return None
    snapshot = Snapshot.from_cached(data)
    if timezone.now() - snapshot.created_at > timedelta(seconds=SNAPSHOT_SECONDS / 2):
        data["created_at"] = timezone.now()
        soft_cache.set(key, data, SNAPSHOT_SECONDS)
    return snapshot


def encode_cursor(snapshot_id: str, position: int) -> str:
    return signing.dumps({"s": snapshot_id, "p": int(position)}, salt=CURSOR_SALT, compress=True)


def decode_cursor(cursor: str) -> tuple[str, int]:
    """(snapshot id, position), or BadCursor for anything we did not sign."""
    try:
        payload = signing.loads(cursor, salt=CURSOR_SALT)
        snapshot_id, position = payload["s"], payload["p"]
        if not isinstance(snapshot_id, str) or not isinstance(position, int) or position < 0:
            raise ValueError("malformed")
        return snapshot_id, position
    except (signing.BadSignature, ValueError, KeyError, TypeError):
        raise BadCursor("The page address is not valid.") from None
