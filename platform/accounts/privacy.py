"""The person's own data: export everything we hold about them, or delete it all."""

import io
import json
import zipfile
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

User = get_user_model()

PROFILE_FIELDS = (
    "id",
    "username",
    "email",
    "display_name",
    "bio",
    "age_bracket",
    "region",
    "interests",
    "is_bot",
    "personalised_feed",
    "personalised_ads",
    "date_joined",
    "last_login",
)


# Sections that apps above the core add to the export (name -> rows for a person), from
# their AppConfig.ready: the core never imports them.
EXTRA_SECTIONS: dict[str, Callable] = {}


def register_export_section(name: str, rows: Callable) -> None:
    EXTRA_SECTIONS[name] = rows


def export_user_data(user) -> dict:
    """Everything Flywheel holds about one person, as plain data (sections of lists)."""
    return {**_core_sections(user), **{name: rows(user) for name, rows in EXTRA_SECTIONS.items()}}


def _core_sections(user) -> dict:
    from events.models import Event, EventKind
    from social.models import Comment, Follow, Like, Membership, Post, Share

    kinds = dict(EventKind.choices)
    profile = {field: getattr(user, field) for field in PROFILE_FIELDS}
    profile["avatar"] = user.avatar.url if user.avatar else None
    return {
        "exported_at": timezone.now(),
        "profile": profile,
        "posts": list(
            Post.objects.filter(author=user)
            .order_by("id")
            .values("id", "text", "image", "group__slug", "created_at", "edited_at", "is_hidden")
        ),
        "comments": list(
            Comment.objects.filter(author=user)
            .order_by("id")
            .values("id", "post_id", "text", "created_at")
        ),
        "likes": list(
            Like.objects.filter(user=user).order_by("id").values("post_id", "created_at")
        ),
        "shares": list(
            Share.objects.filter(user=user)
            .order_by("id")
            .values("post_id", "comment", "created_at")
        ),
        "following": list(
            Follow.objects.filter(follower=user)
            .order_by("id")
            .values("followee__username", "created_at")
        ),
        "followers": list(
            Follow.objects.filter(followee=user)
            .order_by("id")
            .values("follower__username", "created_at")
        ),
        "groups": list(
            Membership.objects.filter(user=user)
            .order_by("id")
            .values("group__slug", "role", "state", "created_at")
        ),
        "events": [
            {**row, "kind": kinds.get(row["kind"], row["kind"])}
            for row in Event.objects.filter(user=user)
            .order_by("id")
            .values(
                "kind",
                "post_id",
                "target_user_id",
                "group_id",
                "campaign_id",
                "dwell_ms",
                "surface",
                "position",
                "model_version",
                "arm",
                "query",
                "result_count",
                "created_at",
            )
            .iterator(chunk_size=5000)
        ],
    }


def export_as_json(data: dict) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def export_as_zip(user) -> bytes:
    """A ZIP with one JSON file per section, plus the person's uploaded images."""
    data = export_user_data(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            f"Your Flywheel data, exported {data['exported_at']:%Y-%m-%d %H:%M} UTC.\n"
            "Each section is a JSON file; images are under images/.\n",
        )
        for section, rows in data.items():
            if section != "exported_at":
                archive.writestr(f"{section}.json", export_as_json(rows))
        for name in _image_names(user, data):
            try:
                with user.avatar.storage.open(name) as image:
                    archive.writestr(f"images/{name}", image.read())
            except FileNotFoundError:
                continue
    return buffer.getvalue()


def _image_names(user, data) -> list[str]:
    names = [post["image"] for post in data["posts"] if post["image"]]
    if user.avatar:
        names.append(user.avatar.name)
    return names


@transaction.atomic
def account_delete(*, user, password: str) -> None:
    """Delete the account, its content and every event that could be tied to the person.

    Counters on other people's posts and groups are corrected first; groups the person owns
    pass to their longest-standing moderator or member, or are deleted when empty.
    """
    from events.models import Event
    from social.models import Group, Membership, Post
    from social.text_html import forget_html_mentioning

    if not password or not user.check_password(password):
        raise ValidationError({"password": "That is not your password. Nothing was deleted."})
    Post.objects.filter(likes__user=user).update(like_count=F("like_count") - 1)
    Post.objects.filter(shares__user=user).update(share_count=F("share_count") - 1)
    for post_id in user.comments.values_list("post_id", flat=True):
        Post.objects.filter(pk=post_id).update(comment_count=F("comment_count") - 1)
    Group.objects.filter(
        memberships__user=user, memberships__state=Membership.State.ACTIVE
    ).exclude(owner=user).update(member_count=F("member_count") - 1)
    for group in Group.objects.filter(owner=user):
        _hand_over_or_delete(group, leaving=user)
    # Others' events that point at this person (follows of them, profile views) lose the tie.
    Event.objects.filter(target_user_id=user.pk).update(target_user_id=None)
    forget_html_mentioning(user)  # their posts' links to this person go with the account
    # Cascades to posts, comments, likes, shares, follows, events, tokens, ads...; their
    # uploaded files (posts, avatar, ad images) are deleted by django-cleanup once this
    # transaction commits, and kept if it rolls back.
    user.delete()


def _hand_over_or_delete(group, *, leaving) -> None:
    from social.models import Membership

    successor = (
        Membership.objects.filter(group=group, state=Membership.State.ACTIVE)
        .exclude(user=leaving)
        .order_by("-role", "created_at")  # moderators before members
        .first()
    )
    if successor is None:
        group.delete()
        return
    successor.role = Membership.Role.OWNER
    successor.save(update_fields=["role"])
    group.owner_id = successor.user_id
    group.member_count = F("member_count") - 1
    group.save(update_fields=["owner", "member_count"])
