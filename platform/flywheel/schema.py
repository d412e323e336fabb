"""The OpenAPI schema's error answers: every operation lists the error codes it can give,
with the one error body every endpoint uses (flywheel.api.exception_handler).

Which codes an operation lists, by rule, so a new endpoint is described without extra work:

- 400 (bad input): any operation that takes a body or query parameters, or pages a list;
- 401 (no or bad credentials): every operation that authenticates (all but the token one);
- 403 (not allowed): every write (services refuse what a person may not do), and reads
  behind a staff-only permission; a view names other reads that may refuse in
  `schema_errors`;
- 404 (not found, or not visible to you): every operation with a path parameter, and those a
  view names in `schema_errors`;
- 429 (too many requests, with Retry-After): every operation, because every one is throttled.

A view may add codes per action (viewsets) or per method (plain views):
`schema_errors = {"create": {404}, "get": {404}}`.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import permissions

ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "What went wrong, in words a person can read: `detail` for the request as a whole, "
        "otherwise one entry per field with its messages. A 429 also says when to try again "
        "(`retry_after`, in seconds, and the Retry-After header)."
    ),
    "properties": {
        "detail": {
            "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
        },
        "retry_after": {"type": "integer", "minimum": 0},
    },
    "additionalProperties": {},
}
DESCRIPTIONS = {
    "400": "The request is not valid; the body says what to change.",
    "401": "No credentials, or credentials that are not valid.",
    "403": "You may not do this.",
    "404": "Not found, or not visible to you.",
    # The Mastodon API (mastodon_api/) answers input it cannot accept with 422, as Mastodon does.
    "422": "The request is well-formed but cannot be accepted; the body says why.",
    "429": "Too many requests: try again after Retry-After seconds.",
}
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
STAFF_ONLY = (permissions.IsAdminUser,)


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        error = self._error_reference()
        for code in sorted(self.error_codes()):
            responses.setdefault(
                str(code),
                {
                    "content": {"application/json": {"schema": error}},
                    "description": DESCRIPTIONS[str(code)],
                },
            )
        return responses

    def _error_reference(self) -> dict:
        component = ResolvedComponent(
            name=ERROR_COMPONENT,
            type=ResolvedComponent.SCHEMA,
            object=ERROR_COMPONENT,
            schema=ERROR_SCHEMA,
        )
        self.registry.register_on_missing(component)
        return component.ref

    def error_codes(self) -> set[int]:
        codes = {429}
        view, method = self.view, self.method
        takes_input = method in UNSAFE or self._is_list_view() or self.get_override_parameters()
        if takes_input:
            codes.add(400)
        if getattr(view, "authentication_classes", None):
            codes.add(401)
        staff_only = any(isinstance(p, STAFF_ONLY) for p in view.get_permissions())
        if method in UNSAFE or staff_only:
            codes.add(403)
        if "{" in self.path:
            codes.add(404)
        action = getattr(view, "action", None) or method.lower()
        codes |= set(getattr(view, "schema_errors", {}).get(action, ()))
        return codes
