"""The site's OAuth scopes (Mastodon's, so Mastodon clients work): four top-level scopes and
their sub-scopes. Accounts owns the tokens (django-oauth-toolkit), so the names live here;
mastodon_api enforces them per endpoint (mastodon_api/scopes.py).

A plain module (no Django imports at the top), because settings.OAUTH2_PROVIDER reads it. A
token with a top-level scope (`read`) has every sub-scope under it (`read:statuses`); a token
with a sub-scope has only that one. `follow` is Mastodon's older name for the relationship
scopes: it grants read:follows, write:follows, read:blocks, write:blocks, read:mutes,
write:mutes.
"""

TOP_LEVEL = {
    "read": "Read your timelines, posts, profile and settings",
    "write": "Post, like, share, comment and change your settings",
    "follow": "Follow, block and mute people",
    "push": "Receive push notifications",
}
SUB_SCOPES = {
    "read": [
        "accounts", "blocks", "bookmarks", "favourites", "filters", "follows", "lists",
        "mutes", "notifications", "search", "statuses",
    ],
    "write": [
        "accounts", "blocks", "bookmarks", "conversations", "favourites", "filters",
        "follows", "lists", "media", "mutes", "notifications", "reports", "statuses",
    ],
}  # fmt: skip
FOLLOW_GRANTS = frozenset(
    f"{verb}:{what}" for verb in ("read", "write") for what in ("follows", "blocks", "mutes")
)

SCOPES = dict(TOP_LEVEL)
for _top, _names in SUB_SCOPES.items():
    for _name in _names:
        SCOPES[f"{_top}:{_name}"] = f"{TOP_LEVEL[_top]}: {_name} only"


def grants(granted: set[str], required: str) -> bool:
    """Whether a token's scopes allow an endpoint that needs `required` (e.g. read:statuses)."""
    if required in granted:
        return True
    top = required.split(":", 1)[0]
    if top in granted:
        return True
    return "follow" in granted and required in FOLLOW_GRANTS


def pkce_required(client_id: str) -> bool:
    """PKCE for public clients; a confidential client (one with a secret, as every app
    registered through POST /api/v1/apps is) may use it and need not."""
    from oauth2_provider.models import get_application_model

    Application = get_application_model()
    client_type = (
        Application.objects.filter(client_id=client_id)
        .values_list("client_type", flat=True)
        .first()
    )
    return client_type != Application.CLIENT_CONFIDENTIAL
