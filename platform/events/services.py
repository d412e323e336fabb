"""Writing to the event log: server-side actions and client beacons."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from events.models import Event, EventKind, Surface
from events.serve_tokens import served_by

# What a client may report; everything else is recorded by the server when it happens.
BEACON_KINDS = {EventKind.IMPRESSION, EventKind.DWELL, EventKind.CLICK, EventKind.PROFILE_VIEW}
MAX_BATCH = 200
MAX_DWELL_MS = 10 * 60 * 1000
MAX_AGE = timedelta(days=1)
CLOCK_SKEW = timedelta(seconds=60)
OWN_POST = "Your own posts' impressions and dwell are not counted."
OVER_CAP = "Counted already: impressions and dwell of a post count up to a limit per hour."
BEACON_LOCK_SPACE = 7403  # advisory lock name space: one person's batches, one at a time


def event_record(kind: EventKind, **fields) -> Event:
    """Record one server-side action (the fields are `event_new`'s). Call it inside the
    action's own transaction, so an action that fails (and rolls back) leaves no event, and one
    that commits leaves one."""
    event = event_new(kind, **fields)
    event.save(force_insert=True)
    return event


def events_record_many(events: list[Event]) -> list[Event]:
    """Record several actions built by `event_new` in one insert (their ids are set)."""
    return Event.objects.bulk_create(events)


def event_new(
    kind: EventKind,
    *,
    user=None,
    post=None,
    target_user=None,
    group=None,
    campaign_id=None,
    surface: str = "",
    position: int | None = None,
    arm: str = "",
    model_version: int | None = None,
    query: str = "",
    result_count: int | None = None,
    at: datetime | None = None,
) -> Event:
    """An action's event, not yet saved: `event_record` saves one, `events_record_many` a
    batch."""
    return Event(
        kind=kind,
        user=user if user is not None and user.is_authenticated else None,
        post_id=getattr(post, "pk", post),
        target_user_id=getattr(target_user, "pk", target_user),
        group_id=getattr(group, "pk", group),
        campaign_id=campaign_id,
        surface=surface,
        position=None if position is None else min(int(position), 32767),
        arm=(arm or "")[:32],
        model_version=model_version,
        query=query[:100],
        result_count=result_count,
        created_at=at or timezone.now(),
    )


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict] = field(default_factory=list)
    ignored: list[dict] = field(default_factory=list)  # valid, but not counted (caps, own)

    @property
    def any_good(self) -> bool:
        return self.accepted + self.duplicates + len(self.ignored) > 0


class BeaconError(ValueError):
    pass


def _as_int(value, name: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise BeaconError(f"{name} must be a whole number.")
    try:
        number = int(value)
    except ValueError:
        raise BeaconError(f"{name} must be a whole number.") from None
    if not low <= number <= high:
        raise BeaconError(f"{name} must be between {low} and {high}.")
    return number


def _parse_item(item, *, now) -> tuple[Event, str]:
    """Validate the shape of one beacon item (visibility is checked for the whole batch);
    the event and the serve token it echoes. The arm and the model version are never taken
    from the client: they come from the serve token (events.serve_tokens)."""
    if not isinstance(item, dict):
        raise BeaconError("Each event must be an object.")
    kind = EventKind.by_name(item.get("kind", ""))
    if kind is None:
        raise BeaconError(f"Unknown kind “{str(item.get('kind'))[:30]}”.")
    if kind not in BEACON_KINDS:
        raise BeaconError(
            f"“{kind.label}” is recorded by the server when it happens; "
            "send only impression, dwell, click or profile view."
        )
    key = item.get("key")
    if not isinstance(key, str) or not 1 <= len(key) <= 64:
        raise BeaconError(
            "key is required: a string of 1 to 64 characters, unique per event "
            "(a retried batch then counts once)."
        )
    event = Event(kind=kind, client_key=key)
    if item.get("post") is not None:
        event.post_id = _as_int(item["post"], "post", low=1, high=2**62)
    if kind in (EventKind.IMPRESSION, EventKind.DWELL) and event.post_id is None:
        raise BeaconError(f"A {kind.label} needs the post it is about.")
    if item.get("person") is not None:
        event.target_user_id = _as_int(item["person"], "person", low=1, high=2**62)
    if kind == EventKind.PROFILE_VIEW and event.target_user_id is None:
        raise BeaconError("A profile view needs the person whose profile it was.")
    if kind == EventKind.CLICK and event.post_id is None and event.target_user_id is None:
        raise BeaconError("A click needs the post or the person it went to.")
    if kind == EventKind.DWELL:
        if item.get("dwell_ms") is None:
            raise BeaconError("A dwell needs dwell_ms.")
        event.dwell_ms = _as_int(item["dwell_ms"], "dwell_ms", low=0, high=MAX_DWELL_MS)
    surface = str(item.get("surface") or "")
    if surface not in Surface.values:
        raise BeaconError(f"Unknown surface “{surface[:30]}”.")
    event.surface = surface
    if item.get("position") is not None:
        event.position = _as_int(item["position"], "position", low=0, high=10_000)
    event.created_at = _parse_time(item.get("at"), now=now)
    return event, item.get("serve") or ""


def _parse_time(value, *, now) -> datetime:
    if value in (None, ""):
        return now
    moment = parse_datetime(str(value)) if isinstance(value, str) else None
    if moment is None:
        raise BeaconError("at must be an ISO 8601 time, e.g. 2026-01-31T12:00:00Z.")
    if timezone.is_naive(moment):
        raise BeaconError("at must include a time zone, e.g. 2026-01-31T12:00:00Z.")
    if moment > now + CLOCK_SKEW:
        raise BeaconError("at is in the future.")
    if moment < now - MAX_AGE:
        raise BeaconError("at is more than a day old; such events are no longer accepted.")
    return moment


def events_ingest(*, user, items, visible_post_authors, existing_person_ids) -> IngestResult:
    """Store the good items of a beacon batch, report each bad one, ignore repeated keys,
    and leave out what must not count: a person's own posts, and impressions and dwell past
    the caps per person, post and hour. What is left out never enters the log, so trends,
    rollups and training never see it.

    `visible_post_authors(ids)` ({post: author} of the posts the person may see) and
    `existing_person_ids(ids)` answer for the whole batch in one query each, so a batch of
    200 costs a handful of queries, not 200.
    """
    result = IngestResult()
    if not isinstance(items, list):
        raise BeaconError("Send a list of events.")
    if len(items) > MAX_BATCH:
        raise BeaconError(f"Send at most {MAX_BATCH} events per batch; this one has {len(items)}.")
    now = timezone.now()
    parsed: list[tuple[int, Event]] = []
    served = {}  # one signature check per distinct serve token (a page shares one)
    for index, item in enumerate(items):
        try:
            event, token = _parse_item(item, now=now)
        except BeaconError as error:
            result.rejected.append({"index": index, "error": str(error)})
            continue
        if token not in served:
            served[token] = served_by(token, viewer_id=user.pk)
        if served[token] is not None:
            event.arm = served[token].arm
            event.model_version = served[token].model_version
        parsed.append((index, event))
    authors = visible_post_authors({e.post_id for _, e in parsed if e.post_id})
    people = existing_person_ids({e.target_user_id for _, e in parsed if e.target_user_id})
    good: list[tuple[int, Event]] = []
    for index, event in parsed:
        if event.post_id and event.post_id not in authors:
            result.rejected.append(
                {"index": index, "error": "That post does not exist or is not visible to you."}
            )
        elif event.target_user_id and event.target_user_id not in people:
            result.rejected.append({"index": index, "error": "That person does not exist."})
        elif event.post_id and authors[event.post_id] == user.pk:
            result.ignored.append({"index": index, "reason": OWN_POST})
        else:
            event.user = user
            good.append((index, event))
    with transaction.atomic():
        _lock_person(user.pk)  # concurrent batches of one person see each other's counts
        counted = _new_and_within_caps(user, good, result)
        result.accepted = _insert_skipping_repeated_keys(counted)
    result.duplicates += len(counted) - result.accepted  # lost a race to the same key
    result.rejected.sort(key=lambda r: r["index"])
    result.ignored.sort(key=lambda r: r["index"])
    return result


def _lock_person(user_id: int) -> None:
    if connection.vendor == "postgresql":  # SQLite's immediate transactions already queue
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [BEACON_LOCK_SPACE, user_id])


def _hour(moment: datetime) -> int:
    """The hour a moment falls in, as hours since the epoch (caps count per hour)."""
    return int(moment.timestamp()) // 3600


def _new_and_within_caps(user, items, result: IngestResult) -> list[Event]:
    """The items to insert: not repeats of a key (in the log or earlier in the batch), and
    for impressions and dwell, within the caps per person, post and hour of when they
    happened (the log's count so far plus this batch, in order). One query reads the
    person's impressions and dwell of these posts in those hours: few rows, since what
    passes the caps is all the log ever holds of them."""
    capped_kinds = (EventKind.IMPRESSION, EventKind.DWELL)
    capped = [event for _, event in items if event.kind in capped_kinds]
    used: dict[tuple[int, int, int], list[int]] = {}  # (post, kind, hour) -> [count, ms]
    seen_keys: set[str] = set()
    if capped:
        post_ids = sorted({event.post_id for event in capped})
        since = datetime.fromtimestamp(
            min(_hour(event.created_at) for event in capped) * 3600, tz=UTC
        )
        sql = (
            "SELECT post_id, kind, created_at, dwell_ms, client_key FROM analytics_event"
            " WHERE user_id = %s AND kind IN (%s, %s) AND created_at >= %s"
            f" AND post_id IN ({', '.join(['%s'] * len(post_ids))})"
        )
        params = [user.pk, *capped_kinds, connection.ops.adapt_datetimefield_value(since)]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *post_ids])
            for post_id, kind, created_at, dwell_ms, key in cursor.fetchall():
                if isinstance(created_at, str):  # SQLite hands back text
                    created_at = parse_datetime(created_at)
                bucket = used.setdefault((post_id, kind, _hour(created_at)), [0, 0])
                bucket[0] += 1
                bucket[1] += dwell_ms or 0
                seen_keys.add(key)
    per_hour = settings.BEACON_IMPRESSIONS_PER_POST_HOUR
    dwell_cap = settings.BEACON_DWELL_MS_PER_POST_HOUR
    counted = []
    for index, event in items:
        if event.client_key in seen_keys:
            result.duplicates += 1
            continue
        seen_keys.add(event.client_key)
        if event.kind in capped_kinds:
            bucket = used.setdefault((event.post_id, event.kind, _hour(event.created_at)), [0, 0])
            dwell = event.dwell_ms or 0
            if bucket[0] >= per_hour or bucket[1] + dwell > dwell_cap:
                result.ignored.append({"index": index, "reason": OVER_CAP})
                continue
            bucket[0] += 1
            bucket[1] += dwell
        counted.append(event)
    return counted


INSERT_COLUMNS = (
    "kind", "user_id", "post_id", "target_user_id", "group_id", "campaign_id", "dwell_ms",
    "surface", "position", "model_version", "arm", "query", "result_count", "client_key",
    "created_at",
)  # fmt: skip


def _insert_skipping_repeated_keys(events: list[Event]) -> int:
    """Insert in one statement; a row whose (person, key) exists is skipped by the unique
    index itself, so a retried or concurrent batch never double-counts. Returns how many
    rows were new. PostgreSQL and SQLite both speak this ON CONFLICT ... RETURNING form."""
    if not events:
        return 0
    ops = connection.ops
    row = "(" + ", ".join(["%s"] * len(INSERT_COLUMNS)) + ")"
    params = []
    for event in events:
        values = [getattr(event, column) for column in INSERT_COLUMNS[:-1]]
        values.append(ops.adapt_datetimefield_value(event.created_at))
        params.extend(values)
    sql = (
        f"INSERT INTO analytics_event ({', '.join(INSERT_COLUMNS)}) "
        f"VALUES {', '.join([row] * len(events))} "
        "ON CONFLICT (user_id, client_key) WHERE client_key IS NOT NULL DO NOTHING "
        "RETURNING id"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return len(cursor.fetchall())


def events_prune(*, older_than_days: int | None = None) -> int:
    """Delete raw events past the retention period (rollups keep the aggregates)."""
    days = older_than_days if older_than_days is not None else settings.EVENT_RETENTION_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = Event.objects.filter(created_at__lt=cutoff).delete()
    return deleted
