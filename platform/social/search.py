"""Search across posts, people, hashtags and groups.

PostgreSQL: posts by full-text search ranked with ts_rank over the GIN-indexed expression
`to_tsvector('english', text)` (the query must use the same expression to use the index).
SQLite: a plain case-insensitive substring match, newest first.
"""

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BooleanField, Count, FloatField, Q
from django.db.models.expressions import RawSQL

from events.models import EventKind
from events.services import event_record
from social import selectors
from social.models import Group, Hashtag

User = get_user_model()
MAX_QUERY_LENGTH = 100
POST_VECTOR = "to_tsvector('english'::regconfig, social_post.text)"
WEB_QUERY = "websearch_to_tsquery('english'::regconfig, %s)"


def clean_query(raw) -> str:
    return " ".join(str(raw or "").split())[:MAX_QUERY_LENGTH]


def search_posts(viewer, query: str):
    posts = selectors.visible_posts(viewer)
    if not query:
        return posts.none()
    if query.startswith("#") and len(query) > 1 and " " not in query:
        # A lone hashtag lists its posts; "#jazz night" is searched as words.
        return posts.filter(hashtags__name=query[1:].lower()).order_by("-id")
    if connection.vendor == "postgresql":
        # Raw SQL so the expression is exactly the indexed one (Django's SearchVector wraps
        # the column in COALESCE, which the index does not match).
        return (
            posts.annotate(
                matches=RawSQL(f"{POST_VECTOR} @@ {WEB_QUERY}", [query], BooleanField()),
                # float8: a 4-byte rank does not round-trip through a page cursor exactly
                rank=RawSQL(f"ts_rank({POST_VECTOR}, {WEB_QUERY})::float8", [query], FloatField()),
            )
            .filter(matches=True)
            .order_by("-rank", "-id")
        )
    return posts.filter(text__icontains=query).order_by("-id")


def search_people(viewer, query: str):
    term = query.lstrip("@")
    if not term:
        return User.objects.none()
    people = User.objects.filter(Q(username__icontains=term) | Q(display_name__icontains=term))
    return selectors.people_visible_to(viewer, people).order_by("username")


def search_hashtags(query: str):
    """Hashtags by prefix, counted over posts everyone may see: a tag used only in private
    groups or only in hidden posts is not revealed (nor are such posts counted)."""
    term = query.lstrip("#").lower()
    if not term:
        return Hashtag.objects.none().annotate(post_count=Count("posts"))
    public = Q(
        posts__is_hidden=False,
        posts__author__is_active=True,
    ) & (Q(posts__group__isnull=True) | Q(posts__group__privacy=Group.Privacy.PUBLIC))
    return (
        Hashtag.objects.filter(name__startswith=term)
        .annotate(post_count=Count("posts", filter=public))
        .filter(post_count__gt=0)
        .order_by("-post_count", "name")
    )


def search_groups(viewer, query: str):
    if not query:
        return Group.objects.none()
    return selectors.groups_list(viewer).filter(
        Q(name__icontains=query) | Q(description__icontains=query)
    )


def search_all(viewer, raw_query, *, limit: int = 10) -> dict:
    query = clean_query(raw_query)
    return {
        "query": query,
        "posts": list(search_posts(viewer, query)[:limit]),
        "people": list(search_people(viewer, query)[:limit]),
        "hashtags": list(search_hashtags(query)[:limit]),
        "groups": list(search_groups(viewer, query)[:limit]),
    }


def record_search(viewer, query: str, *, result_count: int, surface: str = "search") -> None:
    """Log a search with its query and how many results it showed (people signed in only)."""
    if query and viewer is not None and viewer.is_authenticated:
        event_record(
            EventKind.SEARCH, user=viewer, query=query, result_count=result_count, surface=surface
        )
