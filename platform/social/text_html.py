"""A post's text as HTML, kept with the post.

Rendering a text (escaping it, linking its hashtags, mentions and addresses) is cheap once,
but a page shows twenty, and a text changes only when its author edits it. So the services
that write a post render it then and keep it in the row (`Post.text_html`), and a page of
cards reads it with the rows: no second store to ask, nothing to invalidate. A post never
rendered (written before the column, or in bulk by SQL) or rendered by an older renderer is
rendered when it is first shown, and kept then.

RENDER_VERSION names the renderer: raise it whenever `social.text.render_text`, or an
address it links to, changes, and each post is rendered again when it is next shown.
"""

from django.db import connection
from django.db.models import Q

from flywheel.prepared import IntArray, prepared_cursor
from social.models import Post
from social.text import render_text

RENDER_VERSION = 1

# Only rows that still hold the text rendered and an older rendering: an edit that commits in
# between keeps its own, which this must not overwrite. Rows another request holds (rendering
# the same post, or an edit) are skipped, not waited for: two pages keeping overlapping posts
# in different orders would otherwise each hold what the other waits for.
KEEP_SQL = """
WITH kept AS (
    SELECT * FROM unnest(%(ids)s::bigint[], %(texts)s::text[], %(htmls)s::text[])
        AS kept (id, text, html)
), free AS (
    SELECT p.id FROM social_post p JOIN kept ON kept.id = p.id
    WHERE p.text = kept.text AND p.text_html_version IS DISTINCT FROM %(version)s
    FOR UPDATE OF p SKIP LOCKED
)
UPDATE social_post p SET text_html = kept.html, text_html_version = %(version)s
FROM kept WHERE p.id = kept.id AND p.id IN (SELECT id FROM free)
"""


def html_for(text: str, author: str, mentioned) -> str:
    """The text as HTML; mentions link only to the people it mentions (those who existed
    when it was written) and its author."""
    return str(render_text(text, set(mentioned) | {author}))


def keep_post_html(post: Post, mentioned) -> None:
    """Render a post just written or edited (`mentioned`: the usernames it mentions) and
    keep the HTML in its row."""
    post.text_html = html_for(post.text, post.author.username, mentioned)
    post.text_html_version = RENDER_VERSION
    post.save(update_fields=["text_html", "text_html_version"])


def forget_html_mentioning(user) -> None:
    """Posts that link to this person are rendered again when next shown (they are going:
    a mention of someone who does not exist is plain text)."""
    Post.objects.filter(mentions=user).update(text_html_version=None)


def html_of(rows: list[dict]) -> dict[int, str]:
    """Each row's post text as HTML, by id. Rows carry `id`, `text`, `author__username`,
    `text_html` and `text_html_version`; those without a current rendering are rendered now
    (their mentions read in one query) and kept in their posts."""
    html: dict[int, str] = {}
    missing = []
    for row in rows:
        if row["text_html_version"] == RENDER_VERSION and row["text_html"] is not None:
            html[row["id"]] = row["text_html"]
        else:
            missing.append(row)
    if not missing:
        return html
    mentioned: dict[int, list[str]] = {row["id"]: [] for row in missing}
    pairs = Post.mentions.through.objects.filter(post_id__in=list(mentioned)).values_list(
        "post_id", "user__username"
    )
    for post_id, username in pairs:
        mentioned[post_id].append(username)
    for row in missing:
        html[row["id"]] = html_for(row["text"], row["author__username"], mentioned[row["id"]])
    _keep(missing, html)
    return html


def _keep(rows: list[dict], html: dict[int, str]) -> None:
    if connection.vendor == "postgresql":
        params = {
            "version": RENDER_VERSION,
            "ids": IntArray(row["id"] for row in rows),
            "texts": [row["text"] for row in rows],
            "htmls": [html[row["id"]] for row in rows],
        }
        with prepared_cursor() as cursor:
            cursor.execute(KEEP_SQL, params)
        return
    older = Q(text_html_version__isnull=True) | ~Q(text_html_version=RENDER_VERSION)
    for row in rows:
        Post.objects.filter(older, pk=row["id"], text=row["text"]).update(
            text_html=html[row["id"]], text_html_version=RENDER_VERSION
        )


def render_missing(*, batch: int = 2000, progress=None) -> int:
    """Render and keep every post without a current rendering, `batch` at a time (a world
    written in bulk by SQL, or all posts after RENDER_VERSION is raised, ahead of their
    first showing), calling `progress(done)` after each batch. Returns how many."""
    older = Q(text_html_version__isnull=True) | ~Q(text_html_version=RENDER_VERSION)
    fields = ("id", "text", "author__username", "text_html", "text_html_version")
    done, after = 0, 0
    while True:
        rows = list(Post.objects.filter(older, pk__gt=after).order_by("pk").values(*fields)[:batch])
        if not rows:
            return done
        html_of(rows)
        done += len(rows)
        after = rows[-1]["id"]
        if progress is not None:
            progress(done)
