"""Keyset (cursor) pagination for the pages' endless lists.

The mechanics (signed cursors, "rows after this one") are shared with the API in
flywheel.pagination; this module turns them into a page and the address of the next one.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import QueryDict

from flywheel.pagination import BadCursor, decode_cursor, encode_cursor, row_values, rows_after

PAGE_SIZE = 20
CURSOR_PARAM = "cursor"
START_PARAM = "at"
__all__ = ["BadCursor", "CursorPage", "cursor_page"]


@dataclass
class CursorPage:
    items: list
    next_url: str | None = None
    is_first: bool = True
    start: int = 0  # position of the first item in the whole list, for impression logging

    @property
    def last(self):
        return self.items[-1] if self.items else None

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def __bool__(self):
        return bool(self.items)


def _ordering_of(queryset: QuerySet) -> list[str]:
    ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    if not ordering:
        raise ValueError("Keyset pagination needs an ordered queryset.")
    return [str(o) for o in ordering]


def cursor_page(
    request, queryset: QuerySet, *, ordering: list[str] | None = None, size: int = PAGE_SIZE
) -> CursorPage:
    """One page of `queryset` after `?cursor=`, and the address of the next page.

    `ordering` defaults to the queryset's; each key must be readable on the rows (a field or
    an annotation), so order by annotations rather than across relations.
    """
    ordering = ordering or _ordering_of(queryset)
    queryset = queryset.order_by(*ordering)
    cursor = request.GET.get(CURSOR_PARAM, "")
    if cursor:
        values, _ = decode_cursor(cursor, length=len(ordering))
        queryset = queryset.filter(rows_after(ordering, values))
    rows = list(queryset[: size + 1])
    items = rows[:size]
    start = _start(request) if cursor else 0
    next_url = None
    if len(rows) > size:
        params: QueryDict = request.GET.copy()
        params[CURSOR_PARAM] = encode_cursor(row_values(items[-1], ordering))
        params[START_PARAM] = str(start + len(items))
        next_url = f"{request.path}?{params.urlencode()}"
    return CursorPage(items=items, next_url=next_url, is_first=not cursor, start=start)


def _start(request) -> int:
    value = request.GET.get(START_PARAM, "0")
    return min(int(value), 100_000) if value.isdigit() else 0
