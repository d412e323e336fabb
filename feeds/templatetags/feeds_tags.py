"""Suggestions and trends for any page: `{% load feeds_tags %}` then `{% suggested_people %}`,
`{% suggested_groups %}` or `{% trending %}`. Each is a side card that costs a fixed number of
queries and renders nothing when there is nothing to show.

Suggestions cost about ten queries, more than a busy page can spare, so
`{% suggested_people lazy=True %}` renders an empty slot that htmx fills after the page has
loaded, from the same endpoint the API serves (`?format=html`). `exclude=<id>` leaves out the
person (or group) the page is about: a profile needs no card suggesting its own person."""

from urllib.parse import urlencode

from django import template
from django.urls import NoReverseMatch, reverse

from feeds import explain, suggestions, trends

register = template.Library()


def _viewer(context):
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


def _suggestions_tag(kind: str, find):
    """Register `{% suggested_<kind> limit=5 lazy=False exclude=None %}` (`exclude`: the id of
    the person or group the page is about): the people and groups cards differ only in names
    (tag, partial, API route) and in which suggester they ask."""

    @register.inclusion_tag(
        f"feeds/_suggested_{kind}.html", takes_context=True, name=f"suggested_{kind}"
    )
    def tag(context, limit=5, lazy=False, exclude=None) -> dict:
        # What the partials (and the social buttons inside them) need: the inclusion template
        # gets a fresh context, without the context processors' values.
        viewer = _viewer(context)
        card = {"request": context.get("request"), "user": viewer, "kind": kind}
        if viewer is None or not viewer.is_authenticated:
            return card
        if lazy:
            try:
                url = reverse(f"api-suggestions-{kind}")
            except NoReverseMatch:  # the API is not routed: show nothing rather than cost queries
                return card
            query = {"format": "html", "limit": int(limit)}
            if exclude:
                query["exclude"] = int(exclude)
            card["lazy_url"] = f"{url}?{urlencode(query)}"
            return card
        card["suggestions"] = find(
            viewer, limit=int(limit), exclude=int(exclude) if exclude else None
        )
        return card

    return tag


suggested_people = _suggestions_tag("people", suggestions.people_to_follow)
suggested_groups = _suggestions_tag("groups", suggestions.groups_to_join)


@register.inclusion_tag("feeds/_trends.html", takes_context=True)
def trending(context, hashtags=10, posts=5):
    found = trends.trending_for(_viewer(context), hashtags=int(hashtags), posts=int(posts))
    return {"request": context.get("request"), "user": _viewer(context), "trending": found}


@register.inclusion_tag("feeds/_for_you_summary.html")
def for_you_summary(user):
    """What *For you* uses for this person (the settings page, next to the switch)."""
    return {"summary": explain.for_you_summary(user)}
