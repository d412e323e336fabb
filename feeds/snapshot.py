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


@dataclass
class Snapshot:
    id: str
    user_id: int
    arm: str
    model_version: int | None
    # {"post", "reason", "source", "shared"?, "features"?} or {"slot": "sponsored"}
    entries: list[dict]
    created_at: datetime

    def window(self, position: int, size: int) -> tuple[list[tuple[int, dict]], int | None]:
        """Up to `size` posts from `position` on (slots skipped), each with its position, and
        where the next page starts (None at the end)."""
        found: list[tuple[int, dict]] = []
        index = max(position, 0)
        while index < len(self.entries) and len(found) < size:
            if "post" in self.entries[index]:
                found.append((index, self.entries[index]))
            index += 1
        more = any("post" in entry for entry in self.entries[index:])
        return found, index if more else None

    def previous_position(self, position: int, size: int) -> int | None:
        """Where the page of `size` posts before `position` starts (None on the first page)."""
        if position <= 0:
            return None
        index, count = min(position, len(self.entries)), 0
        while index > 0 and count < size:
            index -= 1
            if "post" in self.entries[index]:
                count += 1
        return index

    @property
    def post_count(self) -> int:
        return sum(1 for entry in self.entries if "post" in entry)

    def as_cached(self) -> dict:
        return {
            "id": self.id,
            "user_id": self.user_id,
            "arm": self.arm,
            "model_version": self.model_version,
            "entries": self.entries,
            "created_at": self.created_at,
        }


def _key(user_id: int, snapshot_id: str) -> str:
    return f"feeds:home-snapshot:{int(user_id)}:{snapshot_id}"


def _entry(item: Candidate) -> dict:
    entry = {"post": item.id, "reason": item.reason, "source": item.source}
    if item.shared:
        entry["shared"] = item.shared
    if item.features is not None:  # logged when served (feeds.ranker_log): 4 bytes each
        entry["features"] = item.features.tobytes()
    return entry


def with_sponsored_slots(entries: list[dict]) -> list[dict]:
    """Every SPONSORED_EVERY-th position (6th, 12th, ...) is a slot, between posts."""
    laid_out: list[dict] = []
    for entry in entries:
        if (len(laid_out) + 1) % SPONSORED_EVERY == 0:
            laid_out.append({"slot": SPONSORED})
        laid_out.append(entry)
    return laid_out


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
        entries=with_sponsored_slots([_entry(item) for item in ranked.items]),
        created_at=now or timezone.now(),
    )
    soft_cache.set(_key(viewer.pk, snapshot.id), snapshot.as_cached(), SNAPSHOT_SECONDS)
    return snapshot


def load_snapshot(user_id: int, snapshot_id: str) -> Snapshot | None:
    """The person's snapshot if it is still kept. Someone still scrolling past half its
    lifetime gets a fresh lifetime (earlier, the touch would be a round trip for nothing)."""
    key = _key(user_id, snapshot_id)
    data = soft_cache.get(key)
    if not isinstance(data, dict) or data.get("user_id") != user_id:
        return None
    snapshot = Snapshot(**data)
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
