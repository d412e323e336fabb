"""Counts kept from the log a little behind it, instead of on the beacon's path.

A page's beacon carries some twenty impressions and the time spent reading; adding each to
its post's counters as it arrives would update twenty post rows per page, under the row
locks that likes and shares take. A periodic task (events.roll_up_impressions) adds them
instead, a batch of the log at a time, reading from where it stopped (`RollUpMark`), in the
transaction that moves the mark: each event is counted once, however often the task runs or
dies. Other apps keep their own roll-ups the same way (`roll_up`, one mark each;
feeds.topic_engagement).

Event ids are handed out at insert but become visible at commit, so a slow transaction can
still add an event below the newest id seen. The mark moves only up to the *settled* id, the
newest event inserted more than EVENT_SETTLE_SECONDS ago (`recorded_at`, the server's time
of the insert, events migration 0002); events above it are read by a later run.
"""

from django.conf import settings
from django.db import connection, transaction

from events.models import EventKind, RollUpMark

IMPRESSIONS = "impressions"
ROLL_UP_EVENTS = 200_000  # events read per run at most, so a long-idle roll-up catches up in steps
MAX_READ_MS = 60_000  # one reading counts at most a minute (capped_dwell_sql)


def settled_event_id(max_event_id: int, settle_seconds: float) -> int:
    """The newest event id up to `max_event_id` inserted more than `settle_seconds` ago: every
    id below it was handed out before then, so its transaction has committed (request
    transactions last well under a minute). Rows older than the column are all committed.
    SQLite has one writer at a time and no such column: every id is settled there."""
    settled = ""
    params = [max_event_id]
    if connection.vendor == "postgresql":
        settled = (
            " AND (recorded_at IS NULL"
            " OR recorded_at < clock_timestamp() - make_interval(secs => %s))"
        )
        params.append(float(settle_seconds))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(MAX(id), 0) FROM analytics_event WHERE id <= %s{settled}", params
        )
        return int(cursor.fetchone()[0])


def roll_up(name: str, add, *, settle_seconds: float | None = None, max_events: int) -> int:
    """Run one roll-up named `name`: `add(cursor, after, upto)` adds the events with
    after < id <= upto to its counts and returns how many rows changed, in the transaction
    that moves the mark to `upto`. Concurrent runs of one roll-up queue on its mark's lock."""
    if settle_seconds is None:
        settle_seconds = settings.EVENT_SETTLE_SECONDS
    with transaction.atomic():
        mark, _ = RollUpMark.objects.select_for_update().get_or_create(name=name)
        with connection.cursor() as cursor:
            # From the first event after the mark: ids may start far above it (a pruned log).
            cursor.execute("SELECT min(id) FROM analytics_event WHERE id > %s", [mark.event_id])
            first = cursor.fetchone()[0]
            if first is None:
                return 0
            upto = settled_event_id(first - 1 + max_events, settle_seconds)
            if upto <= mark.event_id:
                return 0
            changed = add(cursor, mark.event_id, upto)
        mark.event_id = upto
        mark.save(update_fields=["event_id", "updated_at"])
    return changed


def capped_dwell_sql(column: str = "dwell_ms") -> str:
    """A dwell event's reading time as the roll-ups add it: at most MAX_READ_MS, so a tab
    left open does not outweigh a hundred readings; 0 for one without a time (the beacon
    refuses those, but a NULL in a sum would stop the roll-up at that event for good)."""
    return f"CASE WHEN {column} > {MAX_READ_MS} THEN {MAX_READ_MS} ELSE coalesce({column}, 0) END"


def _add_post_views(cursor, after: int, upto: int) -> int:
    cursor.execute(
        "UPDATE social_post SET impression_count = impression_count + viewed.times,"
        " read_ms = social_post.read_ms + viewed.reading"
        " FROM (SELECT post_id,"
        f" sum(CASE WHEN kind = {int(EventKind.IMPRESSION)} THEN 1 ELSE 0 END) AS times,"
        f" sum(CASE WHEN kind = {int(EventKind.DWELL)} THEN {capped_dwell_sql()} ELSE 0 END)"
        " AS reading FROM analytics_event"
        " WHERE id > %s AND id <= %s AND kind IN (%s, %s) AND post_id IS NOT NULL"
        " GROUP BY post_id) viewed WHERE social_post.id = viewed.post_id",
        [after, upto, int(EventKind.IMPRESSION), int(EventKind.DWELL)],
    )
    return cursor.rowcount


def impressions_roll_up(
    *, settle_seconds: float | None = None, max_events: int = ROLL_UP_EVENTS
) -> int:
    """Add the impressions and reading time logged since the last run to their posts'
    `impression_count` and `read_ms`; returns how many posts changed."""
    return roll_up(
        IMPRESSIONS, _add_post_views, settle_seconds=settle_seconds, max_events=max_events
    )
