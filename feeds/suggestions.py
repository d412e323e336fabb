"""People to follow and groups to join, each with a short reason that is true.

People come from four sources, blended into one score:
- engaged: authors of posts the viewer liked, shared, commented on or dwelt on (their own
  events, unlikes and unshares cancelling), "you liked 3 of their posts";
- friends: people followed by people the viewer follows, "followed by @ana and 2 others you
  follow";
- similar: people whose vectors in the active model are close to the viewer's (cosine over
  the user factors; only people the model has a row for), "similar taste to yours";
- popular: the most followed people, only to fill the list for someone new.

Groups come from the viewer's engaged posts ("you liked 3 of its posts"), the public groups
of the people they follow (private groups keep their members to themselves), public groups
with many posts about the viewer's favourite hashtags ("popular in #jazz") and the largest
groups. Private groups appear only where the groups list shows them anyway: by name and
member count.

Excluded: the viewer, people they follow or muted, blocks either way, suspended people,
groups they are in or asked to join. Every source is one bounded query, so a suggestion list
costs a fixed number of queries whatever the size of the graph.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.utils import timezone

from analytics.models import Event, EventKind
from feeds.serving import current_model, user_vector
from social import selectors
from social.models import Block, Follow, Group, Membership, Mute, Post

User = get_user_model()

ENGAGEMENT_EVENTS = 1000  # the viewer's most recent engagements read
DWELL_MIN_MS = 5000  # time on a post that counts as engaging with it
CANDIDATES = 50  # per source
SIMILARITY_MIN = 0.5  # cosine at or above which "similar taste" is a fair thing to say
TOPIC_TAGS = 3  # the viewer's favourite hashtags used for "popular in #tag"
TOPIC_DAYS = 30
POPULAR_CACHE_SECONDS = 600
POPULAR_MIN_FOLLOWERS = 2  # "popular" means more than one person chose them
POPULAR_MIN_MEMBERS = 2

# How much each source counts in the blend; a person found by several adds them up.
WEIGHTS = {"engaged": 3.0, "friends": 2.0, "similar": 1.5, "topic": 2.0, "popular": 0.5}

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
class Suggestion:
    """A person or a group, the reason to show first, and every true reason found."""

    target: object
    score: float
    source: str
    reason: str
    reasons: list[str] = field(default_factory=list)

    @property
    def person(self):
        return self.target

    @property
    def group(self):
        return self.target


class _Candidates:
    """Scores and reasons per id, gathered source by source."""

    def __init__(self, excluded: set[int]):
        self.excluded = excluded
        self.found: dict[int, list[tuple[float, str, str]]] = defaultdict(list)

    def add(self, target_id: int, source: str, strength: float, reason: str) -> None:
        if target_id in self.excluded:
            return
        self.found[target_id].append((WEIGHTS[source] * strength, source, reason))

    def fill(self, target_id: int, source: str, strength: float, reason: str) -> None:
        """Add only someone no other source found (popularity is a fallback, not a reason
        stacked on the others)."""
        if target_id not in self.found:
            self.add(target_id, source, strength, reason)

    def ranked(self, limit: int) -> list[tuple[int, float, str, str, list[str]]]:
        rows = []
        for target_id, entries in self.found.items():
            entries.sort(key=lambda e: -e[0])
            total = sum(score for score, _, _ in entries)
            _, source, reason = entries[0]
            rows.append((target_id, total, source, reason, [r for _, _, r in entries]))
        rows.sort(key=lambda r: (-r[1], r[0]))
        return rows[:limit]


# --- what the viewer engaged with ------------------------------------------------------


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


def _followees(viewer):
    return Follow.objects.filter(follower=viewer).values("followee_id")


def _whom_you_follow(username: str, count: int) -> str:
    """Say "@ana, whom you follow" or "@ana and 2 others you follow"."""
    if count == 1:
        return f"@{username}, whom you follow"
    others = count - 1
    return f"@{username} and {others} other{'s' if others > 1 else ''} you follow"


# --- people ----------------------------------------------------------------------------


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


# --- groups ----------------------------------------------------------------------------


def _engaged_groups(candidates: _Candidates, engagement: Engagement, posts) -> None:
    by_group: dict[int, set[int]] = defaultdict(set)
    for post_id, _author_id, group_id in posts:
        if group_id is not None:
            by_group[group_id].add(post_id)
    for group_id, post_ids in by_group.items():
        count, reason = _engagement_reason(engagement, post_ids, for_group=True)
        candidates.add(group_id, "engaged", 1.0 + min(count, 10) / 10, reason)


def _followees_groups(candidates: _Candidates, viewer) -> None:
    """Public groups the people the viewer follows are in (a private group's members are
    for its members to see, so it is never suggested this way)."""
    rows = (
        Membership.objects.filter(
            user_id__in=_followees(viewer),
            user__is_active=True,
            state=Membership.State.ACTIVE,
            group__privacy=Group.Privacy.PUBLIC,
        )
        .exclude(group_id__in=Membership.objects.filter(user=viewer).values("group_id"))
        .values("group_id")
        .annotate(count=Count("id"), via=Min("user__username"))
        .order_by("-count", "group_id")[:CANDIDATES]
    )
    for row in rows:
        verb = ", is a member" if row["count"] == 1 else " are members"
        reason = _whom_you_follow(row["via"], row["count"]) + verb
        candidates.add(row["group_id"], "friends", 1.0 + min(row["count"], 10) / 10, reason)


def _favourite_tags(viewer, posts) -> list[str]:
    """The hashtags of the posts the viewer engaged with, most used first; else their
    declared interests."""
    post_ids = [post_id for post_id, _, _ in posts]
    if post_ids:
        rows = (
            Post.hashtags.through.objects.filter(post_id__in=post_ids)
            .values("hashtag__name")
            .annotate(count=Count("id"))
            .order_by("-count", "hashtag__name")[:TOPIC_TAGS]
        )
        tags = [row["hashtag__name"] for row in rows]
        if tags:
            return tags
    return [str(tag).lower().lstrip("#") for tag in (viewer.interests or [])[:TOPIC_TAGS]]


def _topic_groups(candidates: _Candidates, tags: list[str]) -> None:
    """Public groups with the most recent posts about the viewer's favourite hashtags."""
    if not tags:
        return
    since = timezone.now() - timedelta(days=TOPIC_DAYS)
    rows = (
        Post.hashtags.through.objects.filter(
            hashtag__name__in=tags,
            post__created_at__gte=since,
            post__is_hidden=False,
            post__group__privacy=Group.Privacy.PUBLIC,
        )
        .values("post__group_id", "hashtag__name")
        .annotate(count=Count("id"))
        .order_by("-count", "post__group_id")[:CANDIDATES]
    )
    seen = set()
    for row in rows:
        group_id = row["post__group_id"]
        if group_id in seen:  # its busiest tag came first
            continue
        seen.add(group_id)
        strength = 1.0 + min(row["count"], 20) / 20
        candidates.add(group_id, "topic", strength, f"popular in #{row['hashtag__name']}")


def _popular_groups(candidates: _Candidates) -> None:
    """The largest groups, private ones too: the groups list shows their name and size."""
    rows = (
        Group.objects.filter(member_count__gte=POPULAR_MIN_MEMBERS)
        .exclude(pk__in=candidates.excluded)
        .order_by("-member_count", "name")
        .values_list("pk", "member_count")
    )
    for position, (group_id, members) in enumerate(rows[:CANDIDATES]):
        reason = f"popular: {members} members"
        candidates.fill(group_id, "popular", 1.0 - position / 100, reason)


def groups_to_join(viewer, *, limit: int = 5, exclude: int | None = None) -> list[Suggestion]:
    """Groups the viewer may want to join, best first, each with a true reason; never
    `exclude` (the group whose page the card sits beside)."""
    if viewer is None or not viewer.is_authenticated:
        return []
    mine = set(Membership.objects.filter(user=viewer).values_list("group_id", flat=True))
    candidates = _Candidates(mine | ({exclude} if exclude else set()))
    engagement = engagement_of(viewer.pk)
    posts = _engaged_posts(viewer, engagement)
    _engaged_groups(candidates, engagement, posts)
    _followees_groups(candidates, viewer)
    _topic_groups(candidates, _favourite_tags(viewer, posts))
    if len(candidates.found) < limit:
        _popular_groups(candidates)
    ranked = candidates.ranked(limit)
    groups = {
        group.pk: group
        for group in selectors.groups_list(viewer).filter(pk__in=[r[0] for r in ranked])
    }
    return [
        Suggestion(groups[pk], score, source, reason, reasons)
        for pk, score, source, reason, reasons in ranked
        if pk in groups
    ]
