"""Post cards as plain dicts, for lists that must be cheap (the home timeline API).

A page of cards is one query: the posts through the visibility rule, with their authors,
groups, exact counters and whether the viewer liked and shared each (on PostgreSQL a
statement prepared once per connection, with `social.selectors.VISIBLE_POST_SQL`). The
one costly part of a card that never changes between edits, its text rendered as HTML
with links (which needs the mentioned people), comes with the rows: the post keeps it,
rendered when it was written or edited (social.text_html).

The dicts have exactly the fields of `social.serializers.PostSerializer` in the same formats
(`tests/feeds/test_timeline_cards.py` compares them), so the serializer stays the schema.
"""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone
from rest_framework import ISO_8601
from rest_framework.fields import DateTimeField
from rest_framework.settings import api_settings

from flywheel.errors import NotFound
from flywheel.prepared import IntArray, instance_from, prepared_cursor
from social import selectors
from social.models import Mute, Post
from social.selectors import POST_IDS, POST_NOT_FOUND, VISIBLE_POST_SQL
from social.text_html import html_of

User = get_user_model()
# ROWS_SQL's columns, in order.
FIELDS = (
    "id", "author_id", "author__username", "author__display_name", "author__avatar", "text",
    "image", "group__slug", "group__name", "created_at", "edited_at", "like_count",
    "share_count", "comment_count", "viewer_liked", "viewer_shared", "text_html",
    "text_html_version", "group_id",
)  # fmt: skip
_datetime = DateTimeField()  # its output, which format_datetime gives at a fifth of the cost


VISIBLE_ROWS_SQL = f"""
SELECT p.id, p.author_id, u.username, u.display_name, u.avatar, p.text, p.image, g.slug,
       g.name, p.created_at, p.edited_at, p.like_count, p.share_count, p.comment_count,
       EXISTS (SELECT 1 FROM social_like l WHERE l.post_id = p.id AND l.user_id = %(viewer)s),
       EXISTS (SELECT 1 FROM social_share s WHERE s.post_id = p.id AND s.user_id = %(viewer)s),
       p.text_html, p.text_html_version, p.group_id
FROM social_post p JOIN accounts_user u ON u.id = p.author_id
LEFT JOIN social_group g ON g.id = p.group_id
WHERE p.id = ANY(%(ids)s) AND {VISIBLE_POST_SQL}
"""
# Lists leave out the people the viewer muted; a post looked up by its id does not.
ROWS_SQL = f"""{VISIBLE_ROWS_SQL}
  AND NOT EXISTS (SELECT 1 FROM social_mute m
                  WHERE m.muter_id = %(viewer)s AND m.muted_id = p.author_id)
"""


def card_rows(viewer, post_ids, *, visible=None, muted_too=False) -> dict[int, dict]:
    """The rows (`FIELDS`) of these posts that the viewer may see now, by id, in one query
    (a statement prepared once per connection on PostgreSQL; through `visible_posts`, or
    the `visible` given, elsewhere). Posts by people the viewer muted are left out, unless
    `muted_too`."""
    post_ids = sorted({int(pk) for pk in post_ids})
    if not post_ids:
        return {}
    if connection.vendor == "postgresql":
        with prepared_cursor() as cursor:
            cursor.execute(
                VISIBLE_ROWS_SQL if muted_too else ROWS_SQL,
                {"viewer": viewer.pk, "ids": IntArray(post_ids)},
            )
            return {row[0]: dict(zip(FIELDS, row, strict=True)) for row in cursor.fetchall()}
    rows = selectors.visible_posts(viewer) if visible is None else visible
    if not muted_too:
        rows = rows.filter(~Exists(Mute.objects.filter(muter=viewer, muted=OuterRef("author_id"))))
    rows = rows.filter(pk__in=post_ids).order_by().values(*FIELDS)
    return {row["id"]: row for row in rows}


def visible_row(viewer, post_id) -> dict:
    """One post's row as the viewer may see it now (its author muted or not), in one prepared
    statement; `NotFound` for a post that does not exist or that they may not see, and for
    anything that is not a post id."""
    try:
        post_id = int(post_id)
    except (TypeError, ValueError):
        post_id = 0
    row = card_rows(viewer, [post_id], muted_too=True).get(post_id) if post_id in POST_IDS else None
    if row is None:
        raise NotFound(POST_NOT_FOUND)
    return row


def post_from_row(row: dict):
    """The post of a `card_rows` row as a model instance, with what the row carries loaded
    (the author's id, name and avatar among it); any other field loads on first use."""
    post = instance_from(Post, row)
    post.author = instance_from(
        User,
        {
            "id": row["author_id"],
            "username": row["author__username"],
            "display_name": row["author__display_name"],
            "avatar": row["author__avatar"],
        },
    )
    return post


def post_card(viewer, post_id, *, request) -> dict:
    """One post's card (`PostSerializer`'s fields) as the viewer sees it now."""
    row = visible_row(viewer, post_id)
    return card(row, html_of([row])[row["id"]], request=request)


def _file_url(request, name: str) -> str | None:
    if not name:
        return None
    url = default_storage.url(name)
    return request.build_absolute_uri(url) if request is not None else url


def card(row: dict, html: str, *, request, zone=None) -> dict:
    """One post card: `PostSerializer`'s fields, from a `card_rows` row (datetimes in `zone`,
    the current time zone unless given)."""
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
        "created_at": format_datetime(row["created_at"], zone),
        "edited_at": format_datetime(edited, zone),
        "like_count": row["like_count"],
        "share_count": row["share_count"],
        "comment_count": row["comment_count"],
        "viewer_liked": bool(row["viewer_liked"]),
        "viewer_shared": bool(row["viewer_shared"]),
    }


def format_datetime(value, zone=None) -> str | None:
    """DRF's DateTimeField output (ISO 8601 in the current time zone, UTC as "Z") for an
    aware datetime. A page formats about 60, and DRF's field looks the current zone up through
    asgiref's locals on every call (docs/benchmarks.md has what that cost), so a page looks
    `zone` (the current time zone) up once and passes it. Any other value, or another
    DATETIME_FORMAT, goes through the field itself."""
    if not value:
        return None
    if api_settings.DATETIME_FORMAT != ISO_8601 or not isinstance(value, datetime):
        return _datetime.to_representation(value)
    if value.tzinfo is None:
        return _datetime.to_representation(value)
    text = value.astimezone(zone or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
