"""Reads the driver needs about the world besides the truth (bots.truth)."""

from bots.models import BotProfile, Topic
from social.models import Follow, Membership

PROFILE_FIELDS = (
    "user_id", "user__username", "taste", "activity", "post_propensity", "session_length",
    "position_decay", "like_rate", "share_rate", "comment_rate", "follow_rate", "click_rate",
    "ad_click_rate", "satisfaction", "sessions", "api_token",
)  # fmt: skip


def active_bots(*, user_ids=None) -> list[dict]:
    """Bots that have not churned, with their profiles, oldest first."""
    bots = BotProfile.objects.filter(churned_at__isnull=True, user__is_active=True)
    if user_ids is not None:
        bots = bots.filter(user_id__in=list(user_ids))
    return list(bots.order_by("user_id").values(*PROFILE_FIELDS))


def bot_relations(user_id: int) -> tuple[set[str], set[int]]:
    """(usernames of the people the bot follows, ids of the groups it belongs to)."""
    followed = set(
        Follow.objects.filter(follower_id=user_id).values_list("followee__username", flat=True)
    )
    groups = set(Membership.objects.filter(user_id=user_id).values_list("group_id", flat=True))
    return followed, groups


def topic_groups() -> dict[int, list[tuple[int, str]]]:
    """Topic index -> its groups as (id, slug)."""
    groups: dict[int, list[tuple[int, str]]] = {}
    rows = Topic.groups.through.objects.values_list("topic__index", "group_id", "group__slug")
    for index, group_id, slug in rows.order_by("group_id"):
        groups.setdefault(index, []).append((group_id, slug))
    return groups
