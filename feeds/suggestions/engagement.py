"""What the viewer engaged with, read from their own events, and the true sentence about it
("you liked 3 of their posts")."""

from collections import Counter
from dataclasses import dataclass, field

from events.models import Event, EventKind
from social import selectors

ENGAGEMENT_EVENTS = 1000  # the viewer's most recent engagements read
DWELL_MIN_MS = 5000  # time on a post that counts as engaging with it

ENGAGEMENT_KINDS = [
    EventKind.LIKE,
    EventKind.UNLIKE,
    EventKind.SHARE,
    EventKind.UNSHARE,
    EventKind.COMMENT,
    EventKind.DWELL,
]
# (attribute of Engagement, verb for people, verb for groups), strongest first on a tie.
ENGAGEMENT_VERBS = [
    ("liked", "you liked {n} of their posts", "you liked {n} of its posts"),
    ("shared", "you shared {n} of their posts", "you shared {n} of its posts"),
    ("commented", "you commented on {n} of their posts", "you commented on {n} of its posts"),
    ("dwelt", "you spent time on {n} of their posts", "you spent time on {n} of its posts"),
]


@dataclass
class Engagement:
    liked: set[int] = field(default_factory=set)
    shared: set[int] = field(default_factory=set)
    commented: set[int] = field(default_factory=set)
    dwelt: set[int] = field(default_factory=set)

    @property
    def posts(self) -> set[int]:
        return self.liked | self.shared | self.commented | self.dwelt


def engagement_of(user_id: int) -> Engagement:
    """What the person's recent events say they engaged with now: a like undone by an unlike
    no longer counts, dwell counts from a few seconds on a post."""
    rows = list(
        Event.objects.filter(user_id=user_id, kind__in=ENGAGEMENT_KINDS, post_id__isnull=False)
        .order_by("-id")
        .values_list("post_id", "kind", "dwell_ms")[:ENGAGEMENT_EVENTS]
    )
    engagement = Engagement()
    dwell: Counter = Counter()
    for post_id, kind, dwell_ms in reversed(rows):  # oldest first, so an unlike follows a like
        if kind == EventKind.LIKE:
            engagement.liked.add(post_id)
        elif kind == EventKind.UNLIKE:
            engagement.liked.discard(post_id)
        elif kind == EventKind.SHARE:
            engagement.shared.add(post_id)
        elif kind == EventKind.UNSHARE:
            engagement.shared.discard(post_id)
        elif kind == EventKind.COMMENT:
            engagement.commented.add(post_id)
        elif kind == EventKind.DWELL:
            dwell[post_id] += dwell_ms or 0
    engagement.dwelt = {post for post, ms in dwell.items() if ms >= DWELL_MIN_MS}
    return engagement


def _engaged_posts(viewer, engagement: Engagement) -> list[tuple[int, int, int | None]]:
    """(post, author, group) of the engaged posts the viewer may still see."""
    if not engagement.posts:
        return []
    return list(
        selectors.visible_posts(viewer)
        .filter(pk__in=engagement.posts)
        .values_list("pk", "author_id", "group_id")
    )


def _engagement_reason(engagement: Engagement, post_ids: set[int], *, for_group: bool):
    """The strongest true sentence about these posts, and how many were engaged with."""
    best = None
    for attribute, person_verb, group_verb in ENGAGEMENT_VERBS:
        count = len(post_ids & getattr(engagement, attribute))
        if count and (best is None or count > best[0]):
            best = (count, (group_verb if for_group else person_verb).format(n=count))
    return len(post_ids), best[1]
