"""Mastodon's pagination: `limit`, `max_id` (older than), `since_id` (newer than, newest
first) and `min_id` (just newer than, closest first), with the next and previous pages in a
`Link` header (rel="next" carries max_id, rel="prev" min_id).

Most lists page by a numeric key, newest first. The ranked home feed pages by an opaque
cursor in `max_id` (ids are strings to Mastodon clients): `link_header` builds both.
"""

from urllib.parse import urlencode

from rest_framework import serializers

DEFAULT_LIMIT = 20
MAX_LIMIT = 40
PAGING_PARAMS = ("max_id", "since_id", "min_id", "limit")


class PageQuery(serializers.Serializer):
    limit = serializers.IntegerField(
        required=False, min_value=1, default=DEFAULT_LIMIT, help_text="How many, at most 40."
    )
    max_id = serializers.CharField(required=False, help_text="Only results older than this id.")
    since_id = serializers.CharField(required=False, help_text="Only results newer than this id.")
    min_id = serializers.CharField(
        required=False, help_text="Results just newer than this id (the page right after it)."
    )


def page_query(request) -> dict:
    query = PageQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    values = dict(query.validated_data)
    values["limit"] = min(values["limit"], MAX_LIMIT)
    return values


def _numeric(value, name: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise serializers.ValidationError({name: ["Must be a numeric id."]}) from None
    if not 0 <= number < 2**63:
        raise serializers.ValidationError({name: ["Out of range."]})
    return number


def paginate(request, queryset, *, key: str = "id") -> tuple[list, dict]:
    """One page of `queryset` (any order; it is ordered by `key` here), newest first, and
    the boundary ids for the Link header."""
    query = page_query(request)
    queryset = queryset.order_by()
    if "max_id" in query:
        queryset = queryset.filter(**{f"{key}__lt": _numeric(query["max_id"], "max_id")})
    if "since_id" in query:
        queryset = queryset.filter(**{f"{key}__gt": _numeric(query["since_id"], "since_id")})
    limit = query["limit"]
    if "min_id" in query:
        queryset = queryset.filter(**{f"{key}__gt": _numeric(query["min_id"], "min_id")})
        rows = list(queryset.order_by(key)[:limit])[::-1]
    else:
        rows = list(queryset.order_by(f"-{key}")[:limit])
    return rows, bounds(rows, key=key, limit=limit)


def bounds(rows, *, key: str = "id", limit: int) -> dict:
    if not rows:
        return {}
    ends = {"prev": {"min_id": getattr(rows[0], key)}}
    if len(rows) >= limit:
        ends["next"] = {"max_id": getattr(rows[-1], key)}
    return ends


def link_header(request, ends: dict) -> str:
    """`<url?max_id=..>; rel="next", <url?min_id=..>; rel="prev"`, keeping other params."""
    base = request.build_absolute_uri(request.path)
    kept = [
        (name, value)
        for name, values in request.query_params.lists()
        if name not in PAGING_PARAMS
        for value in values
    ]
    limit = request.query_params.get("limit")
    links = []
    for rel in ("next", "prev"):
        if rel in ends:
            params = [*kept, *([("limit", limit)] if limit else []), *ends[rel].items()]
            links.append(f'<{base}?{urlencode(params, safe=":")}>; rel="{rel}"')
    return ", ".join(links)


def with_links(response, request, ends: dict):
    header = link_header(request, ends)
    if header:
        response["Link"] = header
    return response
