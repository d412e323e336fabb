"""A small, fixed world of events for the matrix tests, built the same way on any backend."""

from datetime import UTC, datetime, timedelta

from accounts.models import User
from events.models import Event, EventKind
from social.models import Post

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def build_world() -> dict:
    """Return the ids of the people and posts created, by name."""
    people = {
        name: User.objects.create(username=name, **extra)
        for name, extra in [
            ("ana", {}),
            ("ben", {}),
            ("opted_out", {"personalised_feed": False}),
            ("suspended", {"is_active": False}),
            ("author", {}),
            ("banned_author", {"is_active": False}),
        ]
    }
    posts = {
        name: Post.objects.create(author=people[author], text=name, **extra)
        for name, author, extra in [
            ("p1", "author", {}),
            ("p2", "author", {}),
            ("p3", "author", {}),
            ("p4", "author", {}),
            ("hidden", "author", {"is_hidden": True}),
            ("by_banned", "banned_author", {}),
        ]
    }

    def event(kind, who, post, minutes=0, dwell_ms=None):
        Event.objects.create(
            kind=kind,
            user=people[who],
            post_id=posts[post].pk,
            dwell_ms=dwell_ms,
            created_at=T0 + timedelta(minutes=minutes),
        )

    event(EventKind.LIKE, "ana", "p1")
    event(EventKind.DWELL, "ana", "p1", dwell_ms=10_000)  # 10 s x 0.2 = 2
    event(EventKind.SHARE, "ana", "p2")
    event(EventKind.COMMENT, "ana", "p3")
    event(EventKind.LIKE, "ana", "p4", minutes=1)
    event(EventKind.UNLIKE, "ana", "p4", minutes=2)  # cancels
    event(EventKind.IMPRESSION, "ana", "hidden")
    event(EventKind.LIKE, "ana", "hidden")  # hidden post: left out
    event(EventKind.LIKE, "ana", "by_banned")  # suspended author: left out
    event(EventKind.DWELL, "ben", "p2", dwell_ms=500_000)  # capped at 30 s -> 6
    event(EventKind.IMPRESSION, "ben", "p3")  # weight 0 by default
    event(EventKind.LIKE, "ben", "p3", minutes=24 * 60)  # one day later than the others
    event(EventKind.LIKE, "opted_out", "p1")
    event(EventKind.LIKE, "suspended", "p1")
    return {
        "people": {k: v.pk for k, v in people.items()},
        "posts": {k: v.pk for k, v in posts.items()},
    }
