"""The home feed's sponsored slots, and the hook that fills them.

Feeds keeps room for ads in the home feed (feeds.snapshot reserves every SPONSORED_EVERY-th
position of a ranked snapshot; the chronological arm gets slots at the same places), but it
does not choose what goes there: ads, which sits above feeds, registers its filler from
`AdsConfig.ready()`. Without a filler (ads not installed) every slot stays empty, the page
shows posts only and the API's `sponsored` is an empty list.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SponsoredFiller:
    """What fills the slots.

    `serve(viewer, *, slots, context_post_ids, surface, arm, model_version)` fills the given
    slots (positions in the feed's layout) and returns the items served, each with the
    `position` it fills and an `index` feeds sets (the post of the page it is shown before);
    each item names the template that draws it (`template_name`). `as_data(items, request)`
    gives the API's list of them; `serializer` describes one item in the API's schema."""

    serve: Callable[..., list]
    as_data: Callable[[list, object], list]
    serializer: type


_filler: SponsoredFiller | None = None


def register(filler: SponsoredFiller) -> None:
    """Make `filler` fill the home feed's slots (one filler: the last registered)."""
    global _filler
    _filler = filler


def serve(viewer, *, slots: list[int], context_post_ids: list[int], **page) -> list:
    """The items for these slots, from the registered filler; none without one. `page` is
    what the filler records with each impression: surface, arm and model version."""
    if _filler is None:
        return []
    return _filler.serve(viewer, slots=slots, context_post_ids=context_post_ids, **page)


def as_data(items: list, request) -> list:
    """The API's `sponsored`: the page's items as the filler shows them to clients."""
    if _filler is None:
        return []
    return _filler.as_data(items, request)


def item_serializer() -> type | None:
    """The serializer of one sponsored item, for the API's schema (None without a filler)."""
    return None if _filler is None else _filler.serializer
