"""Keyset (cursor) pagination, one implementation for the pages and the API.

A page is "the rows after this one" in the list's own ordering. The cursor carries that
row's ordering values (not an offset), so rows arriving while someone scrolls never shift
the next page, ties never repeat a page, and deep pages cost the same as the first. Every
ordering ends with a unique key (`id`). Cursors are signed, so a hand-made one is refused
before it reaches the database.
"""

from datetime import datetime

from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, _reverse_ordering
from rest_framework.utils.urls import replace_query_param

SALT = "flywheel.pagination.cursor"
INVALID_CURSOR = "That page cursor is not valid; start again from the first page."


class BadCursor(ValueError):
    """The cursor was not made by us (or was cut short)."""


def rows_after(ordering, values) -> Q:
    """Rows strictly after `values` in `ordering`: (a > x) or (a = x and b > y) or ..."""
    condition = Q()
    for position, key in enumerate(ordering):
        name = key.lstrip("-")
        step = Q(**{f"{name}__{'lt' if key.startswith('-') else 'gt'}": values[position]})
        for earlier, earlier_key in enumerate(ordering[:position]):
            step &= Q(**{earlier_key.lstrip("-"): values[earlier]})
        condition |= step
    return condition


def row_values(row, ordering) -> list:
    """The ordering values of one row (each key is a field or an annotation on the row)."""
    return [
        row.pk if key.lstrip("-") == "pk" else getattr(row, key.lstrip("-")) for key in ordering
    ]


def _encode_value(value):
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if value is None or isinstance(value, int | float | str | bool):
        return value
    raise TypeError(f"Cannot put a {type(value).__name__} in a cursor.")


def _decode_value(value):
    if isinstance(value, dict):
        return datetime.fromisoformat(value["dt"])
    return value


def encode_cursor(values: list, *, reverse: bool = False) -> str:
    payload = {"v": [_encode_value(v) for v in values]}
    if reverse:
        payload["r"] = 1
    return signing.dumps(payload, salt=SALT, compress=True)


def decode_cursor(cursor: str, *, length: int) -> tuple[list, bool]:
    """The values and direction in a cursor, or BadCursor."""
    try:
        payload = signing.loads(cursor, salt=SALT)
        values = [_decode_value(v) for v in payload["v"]]
        if len(values) != length:
            raise ValueError("wrong length")
        return values, bool(payload.get("r"))
    except (signing.BadSignature, ValueError, KeyError, TypeError, AttributeError):
        raise BadCursor("The page address is not valid.") from None


def bad_cursor() -> ValidationError:
    """A cursor we did not make is bad input: 400, with what to do."""
    return ValidationError({"cursor": [INVALID_CURSOR]})


class KeysetCursorPagination(CursorPagination):
    """The API's pagination: newest first unless a subclass names another ordering that ends
    in a unique key. Request and response look like DRF's (`?cursor=`, next/previous). A
    cursor we did not sign, or a page size that is not a whole number from 1 to
    `max_page_size`, is a 400 that says so (DRF would quietly use the default size)."""

    ordering = ("-id",)
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = int(raw) if raw.isascii() and raw.isdigit() else 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"Give a whole number from 1 to {self.max_page_size} "
                        f"(page_size={raw[:20]})."
                    ]
                }
            )
        return size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
        return parameters

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        encoded = request.query_params.get(self.cursor_query_param)
        try:
            values, reverse = (
                decode_cursor(encoded, length=len(self.ordering)) if encoded else (None, False)
            )
        except BadCursor:
            raise bad_cursor() from None
        if queryset.query.is_empty():  # `.none()` may lack the annotations ordered by
            self.page, self.has_next, self.has_previous = [], False, False
            return self.page
        ordering = _reverse_ordering(self.ordering) if reverse else self.ordering
        try:
            queryset = queryset.order_by(*ordering)
            if values is not None:
                queryset = queryset.filter(rows_after(ordering, values))
            rows = list(queryset[: self.page_size + 1])
        except (ValueError, TypeError, OverflowError, DjangoValidationError):
            raise bad_cursor() from None
        more = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        if reverse:
            self.page.reverse()
            self.has_next, self.has_previous = True, more
        else:
            self.has_next, self.has_previous = more, values is not None
        return self.page

    def _link(self, row, *, reverse: bool) -> str:
        cursor = encode_cursor(row_values(row, self.ordering), reverse=reverse)
        return replace_query_param(self.base_url, self.cursor_query_param, cursor)

    def get_next_link(self):
        if not (self.has_next and self.page):
            return None
        return self._link(self.page[-1], reverse=False)

    def get_previous_link(self):
        if not (self.has_previous and self.page):
            return None
        return self._link(self.page[0], reverse=True)
