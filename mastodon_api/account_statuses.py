"""A person's statuses as Mastodon lists them (GET /api/v1/accounts/:id/statuses): the posts
they wrote and their boosts (Flywheel's shares, with or without a comment), newest first,
as their profile page lists them. A boost is a status of its own, id `s<share id>`, whose
`reblog` is the post shared (entities.reblog_status); `exclude_reblogs=true` leaves the
boosts out. Only posts the viewer may see, written or shared.

Posts and shares are two tables with two id sequences, so the list is ordered by time (when
a post was written, when a share was made) and pages by the status id at an edge: `max_id`
(older than that status), `since_id` (newer, newest first) and `min_id` (just newer, closest
first), with the next and previous pages in the Link header as on every list.
"""

from datetime import datetime

from django.db.models import Q
from rest_framework import serializers
from rest_framework.response import Response

from mastodon_api import entities
from mastodon_api.pagination import page_query, with_links
from mastodon_api.services import row_id
from mastodon_api.timelines import with_entities
from social import selectors
from social.models import Post, Share

POST, SHARE = 0, 1  # at the same moment, a share sorts after (newer than) a post

Edge = tuple[datetime, int, int]  # (time, POST or SHARE, row id): a status' place in the list


class StatusesQuery(serializers.Serializer):
    exclude_reblogs = serializers.BooleanField(
        required=False, default=False, help_text="Leave the person's boosts (shares) out."
    )
    pinned = serializers.BooleanField(
        required=False, default=False, help_text="Pinned statuses only: Flywheel has none."
    )


def status_id(kind: int, pk: int) -> str:
    return entities.reblog_status_id(pk) if kind == SHARE else str(pk)


def _edge(author, value: str, name: str) -> Edge:
    """The place in this person's list of the status `value` names (400 if it names none)."""
    text = str(value)
    is_share = text.startswith(entities.REBLOG_PREFIX)
    pk = row_id(text[len(entities.REBLOG_PREFIX) :] if is_share else text)
    rows = Share.objects.filter(user=author) if is_share else Post.objects.filter(author=author)
    moment = rows.filter(pk=pk).values_list("created_at", flat=True).first()
    if moment is None:
        raise serializers.ValidationError({name: ["Not one of this account's statuses."]})
    return moment, SHARE if is_share else POST, pk


def _past(kind: int, edge: Edge, *, older: bool) -> Q:
    """Rows of one table (`kind`) older (or newer) than `edge` in the list's order."""
    moment, edge_kind, edge_pk = edge
    op = "lt" if older else "gt"
    if kind == edge_kind:
        return Q(**{f"created_at__{op}": moment}) | Q(created_at=moment, **{f"pk__{op}": edge_pk})
    ties_count = kind < edge_kind if older else kind > edge_kind
    return Q(**{f"created_at__{op}{'e' if ties_count else ''}": moment})


def _window(author, query: dict, kind: int) -> Q:
    window = Q()
    for name, older in (("max_id", True), ("since_id", False), ("min_id", False)):
        if name in query:
            window &= _past(kind, _edge(author, query[name], name), older=older)
    return window


def account_statuses(request, author) -> Response:
    viewer = request.user
    query = page_query(request)
    options = StatusesQuery(data=request.query_params)
    options.is_valid(raise_exception=True)
    if options.validated_data["pinned"]:
        return Response([])
    limit, newest_first = query["limit"], "min_id" not in query
    order = ("-created_at", "-pk") if newest_first else ("created_at", "pk")
    visible = selectors.visible_posts(viewer)
    posts = visible.filter(author=author).order_by()
    found = [
        (post.created_at, POST, post.pk, post)
        for post in posts.filter(_window(author, query, POST)).order_by(*order)[:limit]
    ]
    if not options.validated_data["exclude_reblogs"]:
        shares = Share.objects.filter(user=author, post_id__in=visible.values("pk"))
        found += [
            (share.created_at, SHARE, share.pk, share)
            for share in shares.filter(_window(author, query, SHARE))
            .select_related("user")
            .order_by(*order)[:limit]
        ]
    found.sort(key=lambda item: item[:3], reverse=newest_first)
    found = found[:limit]
    if not newest_first:
        found.reverse()  # the page just newer than min_id, shown newest first
    return with_links(Response(_statuses(request, viewer, found)), request, _ends(found, limit))


def _statuses(request, viewer, found) -> list[dict]:
    """Posts as Statuses, shares as boosts of theirs, in one query for all the posts."""
    wanted = {row.post_id if kind == SHARE else row.pk for _, kind, _, row in found}
    posts = {post.pk: post for post in with_entities(selectors.visible_posts(viewer)).filter(
        pk__in=wanted
    )}  # fmt: skip
    people = [post.author for post in posts.values()]
    people += [row.user for _, kind, _, row in found if kind == SHARE]
    counts = entities.account_counts(people)
    shown = {pk: entities.status(request, post, counts=counts) for pk, post in posts.items()}
    statuses = []
    for _, kind, _, row in found:
        original = shown.get(row.post_id if kind == SHARE else row.pk)
        if original is None:  # deleted or hidden in between
            continue
        if kind == SHARE:
            original = entities.reblog_status(request, row, original, counts=counts[row.user_id])
        statuses.append(original)
    return statuses


def _ends(found, limit: int) -> dict:
    if not found:
        return {}
    first, last = found[0], found[-1]
    ends = {"prev": {"min_id": status_id(first[1], first[2])}}
    if len(found) >= limit:
        ends["next"] = {"max_id": status_id(last[1], last[2])}
    return ends
