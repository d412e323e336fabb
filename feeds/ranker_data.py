"""The learned ranker's examples: what was served and seen, and whether the person engaged.

One example per served post (feeds.ranker_log) that the person was shown (an impression of
that post by them, from the page or the API) and whose label window has closed:

- features: the FEATURES row logged when the feed was ranked, nothing read later;
- label: the person liked, shared, commented on or clicked the post, or dwelt on it at
  least FEED_RANKER_DWELL_MS, within FEED_RANKER_LABEL_MINUTES of being served;
- reading time: their dwell on it in that window (each reading capped as the roll-ups cap
  it, events.roll_ups.MAX_READ_MS), which training may weigh engaged examples by.

Events up to CLOCK_SLACK before the serving count too: beacons carry the client's clock.
People who turned the personalised feed off and suspended people are left out, and so are
hidden posts and posts by suspended people, as for the feed model's matrix
(feeds.matrix.trainable_ids). Examples are in serving order (by id), oldest first, so a
time-ordered hold-out is their newest share.
"""

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from events.models import Event, EventKind
from events.roll_ups import MAX_READ_MS
from feeds.models import ServedCandidate
from feeds.ranker_features import FEATURES, ROW_BYTES
from social.models import Post

CLOCK_SLACK = timedelta(seconds=60)
ENGAGEMENTS = (EventKind.LIKE, EventKind.SHARE, EventKind.COMMENT, EventKind.CLICK)


@dataclass
class Examples:
    ids: np.ndarray  # ServedCandidate ids, ascending
    user_ids: np.ndarray
    features: np.ndarray  # float32, examples x FEATURES
    engaged: np.ndarray  # bool
    read_ms: np.ndarray  # int64

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, mask) -> "Examples":
        return Examples(
            self.ids[mask],
            self.user_ids[mask],
            self.features[mask],
            self.engaged[mask],
            self.read_ms[mask],
        )

    def column(self, name: str) -> np.ndarray:
        return self.features[:, FEATURES.index(name)]


def labelled(*, after_id: int = 0, limit: int | None = None, now=None) -> Examples:
    """The newest `limit` (FEED_RANKER_MAX_EXAMPLES) examples served after `after_id` whose
    label window closed by `now`."""
    now = now or timezone.now()
    window = timedelta(minutes=settings.FEED_RANKER_LABEL_MINUTES)
    limit = settings.FEED_RANKER_MAX_EXAMPLES if limit is None else limit
    around = Event.objects.filter(
        user_id=OuterRef("user_id"),
        post_id=OuterRef("post_id"),
        created_at__gte=OuterRef("served_at") - CLOCK_SLACK,
        created_at__lt=OuterRef("served_at") + window,
    )
    engaged = Q(kind__in=ENGAGEMENTS) | Q(
        kind=EventKind.DWELL, dwell_ms__gte=settings.FEED_RANKER_DWELL_MS
    )
    read = (
        around.filter(kind=EventKind.DWELL)
        .order_by()
        .values("user_id")
        .annotate(total=Sum(Least("dwell_ms", Value(MAX_READ_MS))))
        .values("total")
    )
    trainable_post = Post.objects.filter(
        pk=OuterRef("post_id"), is_hidden=False, author__is_active=True
    )
    rows = (
        ServedCandidate.objects.filter(
            id__gt=after_id,
            served_at__lte=now - window,
            user__is_active=True,
            user__personalised_feed=True,
        )
        .filter(Exists(trainable_post), Exists(around.filter(kind=EventKind.IMPRESSION)))
        .annotate(engaged=Exists(around.filter(engaged)), read_ms=Coalesce(Subquery(read), 0))
        .order_by("-id")
        .values_list("id", "user_id", "features", "engaged", "read_ms")[:limit]
    )
    found = [row for row in rows if len(row[2]) == ROW_BYTES][::-1]  # oldest first
    if not found:
        return Examples(
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            np.zeros((0, len(FEATURES)), np.float32),
            np.zeros(0, bool),
            np.zeros(0, np.int64),
        )
    ids, users, blobs, labels, read_ms = zip(*found, strict=True)
    features = np.frombuffer(b"".join(bytes(blob) for blob in blobs), dtype=np.float32)
    return Examples(
        ids=np.array(ids, dtype=np.int64),
        user_ids=np.array(users, dtype=np.int64),
        features=features.reshape(len(found), len(FEATURES)).copy(),
        engaged=np.array(labels, dtype=bool),
        read_ms=np.array(read_ms, dtype=np.int64),
    )


def new_served_since(max_id: int, at_least: int, *, now=None) -> int:
    """Served posts after `max_id` whose label window has closed (the data trigger: posts
    still in their window cannot be examples yet), counting to `at_least` at most."""
    now = now or timezone.now()
    closed = now - timedelta(minutes=settings.FEED_RANKER_LABEL_MINUTES)
    return (
        ServedCandidate.objects.filter(id__gt=max_id, served_at__lte=closed)
        .values("id")[:at_least]
        .count()
    )
