"""Where a person acted from: the surface (events.models.Surface) of the page whose card
they liked, shared or commented on, named here once for the whole site.

- A page that lists cards has the surface of its view (`PAGE_SURFACES`); a context
  processor (social.context_processors.surface) gives it to every template as `surface`,
  so lists mark their cards (`data-surface`, which the beacons read) and every reaction
  form carries it in a hidden field (templates/social/_surface_field.html).
- The action views pass the submitted field to the services, which check it
  (`surface_from`) and record it with the event; the card a toggle or an edit re-renders
  keeps the surface it was sent with.
- A fragment htmx fetches for a page (a new post's card, a card back from editing, the next
  page of a list) belongs to the page in `HX-Current-URL`.
- The JSON API takes an optional `surface` field (social.serializers.fields.surface_field);
  the Mastodon API records `api`. A reaction that names no surface is `""` (Other).

The experiments compare arms on the reactions made on *For you* (`home`) alone.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.urls import Resolver404, resolve

from events.models import Surface

FIELD = "surface"

# The view that renders a page -> the surface of the cards on it.
PAGE_SURFACES = {
    "home": Surface.HOME,
    "social:home": Surface.HOME,
    "social:following_feed": Surface.FOLLOWING,
    "social:explore": Surface.EXPLORE,
    "social:profile": Surface.PROFILE,
    "social:group": Surface.GROUP,
    "social:search": Surface.SEARCH,
    "social:post": Surface.POST,
    "social:hashtag": Surface.HASHTAG,
    "social:notifications": Surface.NOTIFICATIONS,
}

KNOWN = ", ".join(value for value in Surface.values if value)
UNKNOWN_SURFACE = "Unknown surface “{value}”: use one of " + KNOWN + ", or leave it out (Other)."


def surface_from(value) -> str:
    """A submitted surface, checked; "" (Other) when none was given."""
    text = "" if value is None else str(value).strip()
    if text not in Surface.values:
        raise ValidationError(UNKNOWN_SURFACE.format(value=text[:30]), code="surface")
    return text


def surface_of_path(path: str) -> str:
    """The surface of the page at `path` ("" for pages that list no cards)."""
    try:
        match = resolve(urlsplit(path).path or "/")
    except Resolver404:
        return ""
    return PAGE_SURFACES.get(match.view_name, "")


def page_surface(request) -> str:
    """The surface of what this request renders: the one a reaction form submitted, else
    for an htmx fragment the page it goes into, else this page's own."""
    if request.method == "POST":
        submitted = str(request.POST.get(FIELD, "")).strip()
        if submitted and submitted in Surface.values:
            return submitted
    htmx = getattr(request, "htmx", None)
    if htmx and not (htmx.boosted or htmx.history_restore_request) and htmx.current_url:
        return surface_of_path(htmx.current_url)
    return surface_of_path(request.path)
