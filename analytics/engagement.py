"""Engagement figures from the event log: the one definition every report and rollup uses.

`engagement_by_arm(start=..., end=...)` answers, for each experiment arm, how many people were
active in the window ``[start, end)``, how many sessions they had and what they did. It runs as
one SQL statement of aggregates and window functions (no Python loop over events), on
PostgreSQL and SQLite.

The rules, decided once here:

- **A person's arm in a window** is the arm recorded on their home-feed impressions in that
  window (impressions carry the arm that chose the post). Someone whose impressions carry
  several arms (the arm weights changed, or they switched the personalised feed off or on)
  belongs to the arm with the **most** of their impressions in the window; a tie goes to the
  arm of their **latest** impression, then to the alphabetically first arm. All their events
  in the window count for that one arm, so each person is counted exactly once.
- People with events in the window but no impression that carries an arm (they only posted,
  or only saw pages that are not ranked) are counted under the arm ``""`` (`NO_ARM`).
- **A session** is a run of one person's events (of any kind but bookkeeping, such as the
  count of a page's ad slots) in which no two consecutive events are more than
  `SESSION_GAP` (30 minutes) apart. Only events inside the window are seen, so a session
  that started before ``start`` counts as starting at the first event in the window.
- ``following_impressions`` counts the impressions on the home page's *Following* tab
  (surface ``following``): how much each arm's people read the feed no arm orders.
- **For you alone.** The ``for_you_*`` counts are the impressions, likes, shares, comments,
  clicks and dwell on *For you* (surface ``home``): what the arm ordered. The experiments
  compare arms on these (`ArmEngagement.on_for_you`), so a like on the *Following* tab, a
  profile or a search does not count for the arm. Reactions record their surface since
  social.surfaces; in a window whose reactions carry no surface at all (before that, or only
  from API clients that did not say) where they happened is unknown, and the ``for_you_*``
  counts are None rather than a misleading zero.
- Counts are of events: ``likes`` counts like events (a like later undone still counted as a
  reaction to what was shown), ``dwell_ms`` sums the dwell events' durations, ``posts`` counts
  posts created.
"""

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import QuerySet

from events.models import BOOKKEEPING_KINDS, EventKind, Surface

SESSION_GAP = timedelta(minutes=30)
NO_ARM = ""

# For-you counts (surface home) -> the event kind they count; dwell is summed apart.
FOR_YOU_KINDS = {
    "for_you_impressions": EventKind.IMPRESSION,
    "for_you_likes": EventKind.LIKE,
    "for_you_shares": EventKind.SHARE,
    "for_you_comments": EventKind.COMMENT,
    "for_you_clicks": EventKind.CLICK,
}
FOR_YOU_FIELDS = (*FOR_YOU_KINDS, "for_you_dwell_ms")
REACTION_KINDS = (EventKind.LIKE, EventKind.SHARE, EventKind.COMMENT)

# Column of the result -> the event kind it counts.
COUNTED_KINDS = {
    "impressions": EventKind.IMPRESSION,
    "likes": EventKind.LIKE,
    "shares": EventKind.SHARE,
    "comments": EventKind.COMMENT,
    "clicks": EventKind.CLICK,
    "posts": EventKind.POST,
    "ad_impressions": EventKind.AD_IMPRESSION,
    "ad_clicks": EventKind.AD_CLICK,
}


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


@dataclass
class ArmEngagement:
    arm: str
    people: int = 0
    sessions: int = 0
    impressions: int = 0
    likes: int = 0
    shares: int = 0
    comments: int = 0
    clicks: int = 0
    dwell_ms: int = 0
    posts: int = 0
    ad_impressions: int = 0
    ad_clicks: int = 0
    following_impressions: int = 0
    # On For you alone (surface home); None where reactions carried no surface (see above).
    for_you_impressions: int | None = 0
    for_you_likes: int | None = 0
    for_you_shares: int | None = 0
    for_you_comments: int | None = 0
    for_you_clicks: int | None = 0
    for_you_dwell_ms: int | None = 0

    @property
    def for_you_known(self) -> bool:
        return self.for_you_impressions is not None

    def on_for_you(self) -> "ArmEngagement":
        """The arm's people and what they saw and did on For you: the experiments' basis.
        The share read on Following is of everything they saw: read it on the whole."""
        return ArmEngagement(
            arm=self.arm,
            people=self.people,
            sessions=self.sessions,
            impressions=self.for_you_impressions or 0,
            likes=self.for_you_likes or 0,
            shares=self.for_you_shares or 0,
            comments=self.for_you_comments or 0,
            clicks=self.for_you_clicks or 0,
            dwell_ms=self.for_you_dwell_ms or 0,
            posts=self.posts,
            ad_impressions=self.ad_impressions,
            ad_clicks=self.ad_clicks,
            following_impressions=self.following_impressions,
            for_you_impressions=self.for_you_impressions,
            for_you_likes=self.for_you_likes,
            for_you_shares=self.for_you_shares,
            for_you_comments=self.for_you_comments,
            for_you_clicks=self.for_you_clicks,
            for_you_dwell_ms=self.for_you_dwell_ms,
        )

    @property
    def likes_per_impression(self) -> float:
        return _ratio(self.likes, self.impressions)

    @property
    def shares_per_impression(self) -> float:
        return _ratio(self.shares, self.impressions)

    @property
    def comments_per_impression(self) -> float:
        return _ratio(self.comments, self.impressions)

    @property
    def clicks_per_impression(self) -> float:
        return _ratio(self.clicks, self.impressions)

    @property
    def dwell_ms_per_impression(self) -> float:
        return _ratio(self.dwell_ms, self.impressions)

    @property
    def ad_click_rate(self) -> float:
        """Ad clicks per ad impression."""
        return _ratio(self.ad_clicks, self.ad_impressions)

    @property
    def ad_load(self) -> float:
        """Share of the items shown that were sponsored."""
        return _ratio(self.ad_impressions, self.impressions + self.ad_impressions)

    @property
    def following_share(self) -> float:
        """Share of the posts shown that were on the Following tab."""
        return _ratio(self.following_impressions, self.impressions)

    @property
    def dwell_ms_per_session(self) -> float:
        return _ratio(self.dwell_ms, self.sessions)

    @property
    def sessions_per_person(self) -> float:
        return _ratio(self.sessions, self.people)

    def as_dict(self) -> dict:
        """The counts and the rates, for JSON and for storing in rollups."""
        counts = asdict(self)
        for name in (
            "likes_per_impression",
            "shares_per_impression",
            "comments_per_impression",
            "clicks_per_impression",
            "dwell_ms_per_impression",
            "ad_click_rate",
            "ad_load",
            "following_share",
            "dwell_ms_per_session",
            "sessions_per_person",
        ):
            counts[name] = getattr(self, name)
        return counts

    @classmethod
    def total(cls, engagements: Iterable["ArmEngagement"], arm: str = "all") -> "ArmEngagement":
        """Every arm together (each person is in one arm, so the sums do not double-count).
        For-you counts add up the known ones."""
        combined = cls(arm=arm)
        for engagement in engagements:
            for field in fields(cls):
                if field.name != "arm":
                    value = getattr(combined, field.name) + (getattr(engagement, field.name) or 0)
                    setattr(combined, field.name, value)
        return combined


def _user_filter(user_ids) -> tuple[str, list]:
    """SQL restricting events to some people: a list of ids, or a queryset of ids (kept in the
    database as a subquery, so 100,000 bots do not become 100,000 parameters)."""
    if user_ids is None:
        return "", []
    if isinstance(user_ids, QuerySet):
        subquery, params = user_ids.values("pk").query.sql_with_params()
        return f" AND user_id IN ({subquery})", list(params)
    ids = sorted({int(pk) for pk in user_ids})
    if not ids:
        return " AND 1 = 0", []
    return f" AND user_id IN ({', '.join(['%s'] * len(ids))})", ids


def _new_session_expression() -> tuple[str, list]:
    """1 when an event starts a session (first in the window, or after a long gap), else 0."""
    if connection.vendor == "postgresql":
        return (
            "CASE WHEN previous_at IS NULL OR created_at - previous_at > %s THEN 1 ELSE 0 END",
            [SESSION_GAP],
        )
    # julianday() is a double: about 50 microseconds of rounding error, so compare whole
    # milliseconds, or a gap of exactly 30 minutes would sometimes count as longer.
    return (
        "CASE WHEN previous_at IS NULL OR "
        "ROUND((julianday(created_at) - julianday(previous_at)) * 86400000.0) > %s "
        "THEN 1 ELSE 0 END",
        [SESSION_GAP // timedelta(milliseconds=1)],
    )


def _arm_ctes(user_sql: str) -> str:
    """The window's events and each person's arm (the module's rule); parameters: the
    window, then the people."""
    return f"""
        WITH windowed AS (
            SELECT id, user_id, kind, arm, surface, dwell_ms, created_at
            FROM analytics_event
            WHERE created_at >= %s AND created_at < %s AND user_id IS NOT NULL{user_sql}
                AND kind NOT IN ({", ".join(str(int(k)) for k in sorted(BOOKKEEPING_KINDS))})
        ),
        arm_counts AS (
            SELECT user_id, arm, COUNT(*) AS shown, MAX(created_at) AS last_shown
            FROM windowed
            WHERE kind = {int(EventKind.IMPRESSION)} AND arm <> ''
            GROUP BY user_id, arm
        ),
        person_arm AS (
            SELECT user_id, arm FROM (
                SELECT user_id, arm, ROW_NUMBER() OVER (
                    PARTITION BY user_id ORDER BY shown DESC, last_shown DESC, arm
                ) AS preference
                FROM arm_counts
            ) ranked
            WHERE preference = 1
        )"""


def _engagement_sql(user_sql: str, new_session_sql: str) -> str:
    """The statement; its parameters are the window, the people, then the session gap."""
    counted = ",\n".join(
        f"SUM(CASE WHEN kind = {int(kind)} THEN 1 ELSE 0 END) AS {name}"
        for name, kind in COUNTED_KINDS.items()
    )
    for_you = ",\n".join(
        f"SUM(CASE WHEN kind = {int(kind)} AND surface = '{Surface.HOME}' THEN 1 ELSE 0 END) "
        f"AS {name}"
        for name, kind in FOR_YOU_KINDS.items()
    )
    reactions = ", ".join(str(int(kind)) for kind in REACTION_KINDS)
    totals = ", ".join(f"SUM(p.{name})" for name in (*COUNTED_KINDS, *FOR_YOU_KINDS))
    return f"""{_arm_ctes(user_sql)},
        sequenced AS (
            SELECT user_id, kind, surface, dwell_ms, created_at, LAG(created_at) OVER (
                PARTITION BY user_id ORDER BY created_at, id
            ) AS previous_at
            FROM windowed
        ),
        per_person AS (
            SELECT user_id,
                SUM({new_session_sql}) AS sessions,
                SUM(CASE WHEN kind = {int(EventKind.DWELL)} THEN COALESCE(dwell_ms, 0) ELSE 0 END)
                    AS dwell_ms,
                SUM(CASE WHEN kind = {int(EventKind.IMPRESSION)} AND surface = '{Surface.FOLLOWING}'
                    THEN 1 ELSE 0 END) AS following_impressions,
                SUM(CASE WHEN kind = {int(EventKind.DWELL)} AND surface = '{Surface.HOME}'
                    THEN COALESCE(dwell_ms, 0) ELSE 0 END) AS for_you_dwell_ms,
                SUM(CASE WHEN kind IN ({reactions}) THEN 1 ELSE 0 END) AS reactions,
                SUM(CASE WHEN kind IN ({reactions}) AND surface <> '' THEN 1 ELSE 0 END)
                    AS placed_reactions,
                {counted},
                {for_you}
            FROM sequenced
            GROUP BY user_id
        )
        SELECT COALESCE(a.arm, '') AS arm, COUNT(*), SUM(p.sessions), {totals}, SUM(p.dwell_ms),
            SUM(p.following_impressions), SUM(p.for_you_dwell_ms), SUM(p.reactions),
            SUM(p.placed_reactions)
        FROM per_person p LEFT JOIN person_arm a ON a.user_id = p.user_id
        GROUP BY COALESCE(a.arm, '')
    """


def arms_of_people(
    *, start: datetime, end: datetime, user_ids: Iterable[int] | QuerySet | None = None
) -> dict[int, str]:
    """Each person's arm in ``[start, end)`` by the module's rule; people whose impressions
    carry no arm are absent (engagement counts them under NO_ARM)."""
    user_sql, user_params = _user_filter(user_ids)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"{_arm_ctes(user_sql)} SELECT user_id, arm FROM person_arm",
            [adapt(start), adapt(end), *user_params],
        )
        return dict(cursor.fetchall())


def engagement_by_arm(
    *, start: datetime, end: datetime, user_ids: Iterable[int] | QuerySet | None = None
) -> dict[str, ArmEngagement]:
    """Engagement in ``[start, end)`` per experiment arm (see the module's rules). Arms with no
    active person in the window are absent. `user_ids` restricts to some people (e.g. bots)."""
    user_sql, user_params = _user_filter(user_ids)
    session_sql, session_params = _new_session_expression()
    adapt = connection.ops.adapt_datetimefield_value
    params = [adapt(start), adapt(end), *user_params, *session_params]
    with connection.cursor() as cursor:
        cursor.execute(_engagement_sql(user_sql, session_sql), params)
        rows = cursor.fetchall()
    result: dict[str, ArmEngagement] = {}
    names = [
        *("people", "sessions", *COUNTED_KINDS, *FOR_YOU_KINDS, "dwell_ms"),
        *("following_impressions", "for_you_dwell_ms", "reactions", "placed_reactions"),
    ]
    reactions = placed = 0
    for arm, *values in rows:
        counts = _as_ints(dict(zip(names, values, strict=True)))
        reactions += counts.pop("reactions")
        placed += counts.pop("placed_reactions")
        result[arm] = ArmEngagement(arm=arm, **counts)
    if reactions and not placed:  # where the window's reactions happened is not known
        for engagement in result.values():
            for name in FOR_YOU_FIELDS:
                setattr(engagement, name, None)
    return result


def _as_ints(values: Mapping[str, object]) -> dict[str, int]:
    return {name: int(value or 0) for name, value in values.items()}
