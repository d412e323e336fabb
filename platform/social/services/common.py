"""What the writes of every area lean on: clean text, notify someone, check a post can be
interacted with, insert a row once, move a post's counter."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import F

from flywheel.errors import NotFound
from social import selectors
from social.models import Notification, Post


def _clean_text(text, *, limit: int, what: str) -> str:
    if not isinstance(text, str):
        raise ValidationError({"text": f"The {what} must be text."})
    text = text.strip()
    if not text:
        raise ValidationError({"text": f"Write something: the {what} is empty."})
    if len(text) > limit:
        raise ValidationError(
            {"text": f"The {what} is {len(text)} characters long; the limit is {limit}."}
        )
    return text


def _notify(*, recipient, actor, verb, **targets) -> None:
    if recipient.pk == actor.pk:
        return
    Notification.objects.create(recipient=recipient, actor=actor, verb=verb, **targets)


def _require_interaction_allowed(user, post: Post) -> None:
    """Blocks forbid interaction; posts the person cannot see (hidden, a suspended author, a
    private group they are not in, deleted meanwhile) cannot be interacted with either."""
    blocked, visible = selectors.blocked_and_visible(user, post)
    if blocked:
        raise PermissionDenied("You cannot interact with this person's posts.")
    if not visible:
        raise NotFound(selectors.POST_NOT_FOUND)


def _insert_once(model, **fields):
    """Insert a row guarded by a unique constraint; None when it already exists.

    One statement, `INSERT ... ON CONFLICT DO NOTHING RETURNING` the key: losing a race to a
    concurrent request inserts nothing and raises nothing, so the caller's transaction goes on
    (get_or_create re-raises IntegrityError when the winner's row is deleted again before it
    can be read; a savepoint around a plain insert costs two more round trips)."""
    row = model(**fields)
    meta = model._meta
    columns = [field for field in meta.concrete_fields if not field.primary_key]
    values = [field.get_db_prep_save(field.pre_save(row, True), connection) for field in columns]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT DO NOTHING RETURNING {quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        inserted = cursor.fetchone()
    if inserted is None:
        return None
    row.pk = inserted[0]
    row._state.adding, row._state.db = False, connection.alias
    return row


def _bump(post: Post, field: str, delta: int) -> None:
    """Move a counter on a post; the post must still exist (its row is locked until commit, so
    it cannot be deleted under us and leave a dangling like or share)."""
    if not Post.objects.filter(pk=post.pk).update(**{field: F(field) + delta}):
        raise NotFound("That post does not exist any more.")
