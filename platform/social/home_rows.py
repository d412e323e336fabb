"""`social.selectors.home_timeline` as one statement prepared once per connection, for the
API's hot path (PostgreSQL only).

Building and compiling the ORM form (a union of per-source id queries, three share
subqueries, the visibility rule, the keyset filter) cost more Python on every page than the
database spent answering it. This statement gives a page of the same list, in the same
order, with what the page needs beside each id: when it was last active, the latest share
by someone followed (when, by whom, with what comment) and whether the viewer follows the
author. The ORM form stays the one to read; tests/social/test_home_rows.py checks that the
two agree, page by page.
"""

from dataclasses import dataclass
from datetime import datetime

from flywheel.prepared import IntArray, prepared_cursor
from social.selectors import VISIBLE_POST_SQL

# Posts `p` of the sources, through the visibility rule, less people muted; each with its
# latest share by a followee who is active and not muted (home_timeline's `shares`).
# `shares` is NOT MATERIALIZED so that the lateral lookup runs per post on its index,
# instead of scanning every followee share once per post.
HOME_PAGE_SQL = f"""
WITH followees AS (
    SELECT followee_id AS id FROM social_follow WHERE follower_id = %(viewer)s
), muted AS (
    SELECT muted_id AS id FROM social_mute WHERE muter_id = %(viewer)s
), shares AS NOT MATERIALIZED (
    SELECT s.post_id, s.created_at, su.username, s.comment
    FROM social_share s JOIN accounts_user su ON su.id = s.user_id
    WHERE s.user_id IN (SELECT id FROM followees) AND su.is_active
      AND s.user_id NOT IN (SELECT id FROM muted)
), listed AS (
    SELECT p.id, p.author_id, latest.created_at AS shared_at, latest.username, latest.comment,
           GREATEST(p.created_at, COALESCE(latest.created_at, p.created_at)) AS activity_at
    FROM social_post p
    JOIN accounts_user u ON u.id = p.author_id
    LEFT JOIN social_group g ON g.id = p.group_id
    LEFT JOIN LATERAL (
        SELECT shares.created_at, shares.username, shares.comment FROM shares
        WHERE shares.post_id = p.id ORDER BY shares.created_at DESC LIMIT 1
    ) latest ON TRUE
    WHERE p.id IN (
        SELECT id FROM social_post WHERE author_id IN (SELECT id FROM followees)
        UNION SELECT id FROM social_post WHERE author_id = %(viewer)s
        UNION SELECT id FROM social_post WHERE group_id IN (
            SELECT group_id FROM social_membership
            WHERE user_id = %(viewer)s AND state = 'active')
        UNION SELECT post_id FROM shares
        UNION SELECT unnest(%(also)s::bigint[])
    )
    AND {VISIBLE_POST_SQL}
    AND p.author_id NOT IN (SELECT id FROM muted)
)
SELECT listed.id, listed.activity_at, listed.shared_at, listed.username, listed.comment,
       EXISTS (SELECT 1 FROM followees WHERE followees.id = listed.author_id)
FROM listed
WHERE %(after_id)s::bigint IS NULL
   OR (listed.activity_at, listed.id) < (%(after_at)s::timestamptz, %(after_id)s::bigint)
ORDER BY listed.activity_at DESC, listed.id DESC
LIMIT %(limit)s
"""


@dataclass(frozen=True)
class HomeRow:
    id: int
    activity_at: datetime
    shared_at: datetime | None
    shared_by_username: str | None
    shared_comment: str | None
    author_followed: bool


def home_page_rows(
    viewer, *, also=(), after: tuple[datetime, int] | None = None, limit: int
) -> list[HomeRow]:
    """Up to `limit` rows of the viewer's home timeline, newest activity first, after the
    row whose (activity_at, id) is `after` (from the start without it). `also` adds post
    ids as `home_timeline`'s `also` adds sources (visibility still applies to them)."""
    after_at, after_id = after if after is not None else (None, None)
    params = {
        "viewer": viewer.pk,
        "also": IntArray(sorted({int(pk) for pk in also})),
        "after_at": after_at,
        "after_id": after_id,
        "limit": limit,
    }
    with prepared_cursor() as cursor:
        cursor.execute(HOME_PAGE_SQL, params)
        return [HomeRow(*row) for row in cursor.fetchall()]
