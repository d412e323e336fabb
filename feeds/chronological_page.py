"""A page of the chronological arm's home as the API's items, for the hot path.

What `HomeTimelineView` lists for this arm (`selectors.chronological_home`, keyset-paged,
explained, with its sponsored slots), from two prepared statements instead of an ORM query
compiled on every page and DRF's serializers: social.home_rows for the page's ids in order
with their shares, social.cards for the cards. tests/feeds/test_home_api_lean.py checks that
both paths give the same page.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from feeds import warm
from feeds.experiments import Assignment
from feeds.selectors import (
    TimelineCard,
    chronological_slots,
    home_reason,
    home_serve_token,
    place_sponsored,
    profiled,
    timeline_item,
)
from social import cards
from social.home_rows import home_page_rows
from social.text_html import html_of

Position = tuple[datetime, int]  # a row's (activity_at, id): the keyset of the home


@dataclass
class ChronologicalPage:
    posts: list[TimelineCard]
    first: Position | None  # the page's first row, for the link back
    last: Position | None  # its last, for the link on, when there is more
    sponsored: list


def chronological_page(
    viewer, assignment: Assignment, *, after: Position | None, size: int, request
) -> ChronologicalPage:
    """The page of the person's chronological home after `after` (from the top without it)."""
    also = ()
    if warm.needs_warm_start(viewer):
        also = warm.warm_id_list(viewer, profiled=profiled(assignment))
    rows = home_page_rows(viewer, also=also, after=after, limit=size + 1)
    more = len(rows) > size
    rows = rows[:size]
    found = cards.card_rows(viewer, [row.id for row in rows])
    shown = [(row, found[row.id]) for row in rows if row.id in found]
    html = html_of([card for _, card in shown])
    serve = home_serve_token(viewer, arm=assignment.arm, model_version=None)
    zone = timezone.get_current_timezone()  # once a page, not once a datetime
    posts = [
        TimelineCard(
            pk=row.id,
            feed_position=position,
            data=timeline_item(
                card,
                html[row.id],
                shared=_shared(row),
                reason=home_reason(
                    viewer_id=viewer.pk,
                    author_id=card["author_id"],
                    author_username=card["author__username"],
                    author_followed=row.author_followed,
                    shared_by=row.shared_by_username,
                    group_name=card["group__name"],
                ),
                arm=assignment.arm,
                model_version=None,
                serve=serve,
                request=request,
                zone=zone,
            ),
        )
        for position, (row, card) in enumerate(shown)
    ]
    warm.explain_warm(posts, viewer, profiled=profiled(assignment))
    sponsored = place_sponsored(
        viewer, posts, chronological_slots(posts), arm=assignment.arm, model_version=None
    )
    return ChronologicalPage(
        posts=posts,
        first=(rows[0].activity_at, rows[0].id) if rows else None,
        last=(rows[-1].activity_at, rows[-1].id) if rows and more else None,
        sponsored=sponsored,
    )


def _shared(row) -> dict | None:
    if not row.shared_by_username:
        return None
    return {"username": row.shared_by_username, "comment": row.shared_comment, "at": row.shared_at}
