"""Post cards as plain dicts, for lists that must be cheap (the home timeline API).

A page of cards is one query: the posts through the visibility rule, with their authors,
groups, exact counters and whether the viewer liked and shared each (`visible_posts` already
annotates those). The one costly part of a card that never changes between edits, its text
rendered as HTML with links (which needs the mentioned people), is kept per post in the
cache with the edit time it was rendered from; `forget_cards` drops it on an edit, a delete
and a moderator's hiding, and a card rendered before an edit is never used after one, even
if the cache missed the invalidation. A cache that is down costs a render, not an error.

The dicts have exactly the fields of `social.serializers.PostSerializer` in the same formats
(`tests/social/test_cards.py` compares them), so the serializer stays the schema.
"""

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db.models import Exists, OuterRef
from rest_framework.fields import DateTimeField

from flywheel import soft_cache
from social.models import Mute, Post
from social.text import render_text

User = get_user_model()
HTML_SECONDS = 24 * 3600
FIELDS = (
    "id", "author_id", "author__username", "author__display_name", "author__avatar", "text",
    "image", "group__slug", "group__name", "created_at", "edited_at", "like_count",
    "share_count", "comment_count", "viewer_liked", "viewer_shared",
)  # fmt: skip
_datetime = DateTimeField()


def _key(post_id: int) -> str:
    return f"social:card-html:{int(post_id)}"


def forget_cards(post_ids) -> None:
    """Drop the cached text of these posts (after an edit, a delete, a hiding)."""
    soft_cache.delete_many([_key(pk) for pk in post_ids])


def card_rows(visible, post_ids, *, viewer) -> dict[int, dict]:
    """The rows of these posts that the viewer may see, by id, in one query: `visible` is
    `social.selectors.visible_posts(viewer)`; posts by people the viewer muted are left out."""
    if not post_ids:
        return {}
    muted = Mute.objects.filter(muter=viewer, muted=OuterRef("author_id"))
    rows = visible.filter(pk__in=list(post_ids)).filter(~Exists(muted)).order_by().values(*FIELDS)
    return {row["id"]: row for row in rows}


def _stamp(row) -> str:
    return row["edited_at"].isoformat() if row["edited_at"] else ""


def rendered_html(rows: list[dict]) -> dict[int, str]:
    """Each post's text as HTML, from the cache where it was rendered since the last edit;
    the others rendered now (their mentions read in one query) and kept."""
    cached = soft_cache.get_many([_key(row["id"]) for row in rows])
    html: dict[int, str] = {}
    missing = []
    for row in rows:
        kept = cached.get(_key(row["id"]))
        if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == _stamp(row):
            html[row["id"]] = kept[1]
        else:
            missing.append(row)
    if missing:
        mentioned: dict[int, set[str]] = {}
        pairs = Post.mentions.through.objects.filter(
            post_id__in=[row["id"] for row in missing]
        ).values_list("post_id", "user__username")
        for post_id, username in pairs:
            mentioned.setdefault(post_id, set()).add(username)
        fresh = {}
        for row in missing:
            known = mentioned.get(row["id"], set()) | {row["author__username"]}
            html[row["id"]] = str(render_text(row["text"], known))
            fresh[_key(row["id"])] = (_stamp(row), html[row["id"]])
        soft_cache.set_many(fresh, HTML_SECONDS)
    return html


def _file_url(request, name: str) -> str | None:
    if not name:
        return None
    url = default_storage.url(name)
    return request.build_absolute_uri(url) if request is not None else url


def card(row: dict, html: str, *, request) -> dict:
    """One post card: `PostSerializer`'s fields, from a `card_rows` row."""
    edited = row["edited_at"]
    return {
        "id": row["id"],
        "author": {
            "username": row["author__username"],
            "display_name": row["author__display_name"] or row["author__username"],
            "avatar_url": _file_url(request, row["author__avatar"]),
        },
        "text": row["text"],
        "html": html,
        "image_url": _file_url(request, row["image"]),
        "group": (
            {"slug": row["group__slug"], "name": row["group__name"]}
            if row["group__slug"] is not None
            else None
        ),
        "created_at": _datetime.to_representation(row["created_at"]),
        "edited_at": _datetime.to_representation(edited) if edited else None,
        "like_count": row["like_count"],
        "share_count": row["share_count"],
        "comment_count": row["comment_count"],
        "viewer_liked": bool(row["viewer_liked"]),
        "viewer_shared": bool(row["viewer_shared"]),
    }


def format_datetime(value) -> str | None:
    return _datetime.to_representation(value) if value else None
