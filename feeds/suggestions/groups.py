"""Groups to join: groups of the posts the viewer engaged with, public groups of the people
they follow, public groups busy with their favourite hashtags, and the largest to fill the
list."""

from collections import defaultdict
from datetime import timedelta

from django.db.models import Count, Min
from django.utils import timezone

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
from social import selectors
from social.models import Group, Membership, Post

TOPIC_TAGS = 3  # the viewer's favourite hashtags used for "popular in #tag"
TOPIC_DAYS = 30
POPULAR_MIN_MEMBERS = 2


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
