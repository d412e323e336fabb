"""The home-feed experiment: which arm each person is in.

Assignment is a pure function of the person's id, an experiment salt and the arms' weights:
a stable hash (SHA-256, not Python's per-process `hash`) puts the person at a point in [0, 1),
and the arms, in name order, split that interval in proportion to their weights. So every web
process, every request and every replay of the logs agrees on a person's arm without storing
it, and changing the salt reshuffles everyone for a new experiment.

People who turned the personalised feed off always get the chronological feed. They are
recorded under their own arm label (`opted-out`), not as members of the chronological arm:
they chose it, so counting them in the control would bias every comparison between arms.

Arms can also plug in from outside feeds (feeds.arms): their members are taken out before
the weighted draw. The simulation's `ideal` arm is one (bots, when installed).
"""

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection

from feeds.arms import plugged_arm_of
from feeds.models import FeedArm
from flywheel.prepared import prepared_cursor
from flywheel.recent import recent

DEFAULT_SALT = "home-feed-1"
OPTED_OUT_ARM = "opted-out"
FALLBACK_ARM = "default"  # no arm with a weight: everyone is ranked, labelled as such
Strategy = FeedArm.Strategy


@dataclass(frozen=True)
class Assignment:
    arm: str
    strategy: str
    blend: dict = field(default_factory=dict)
    is_control: bool = False

    @property
    def is_ranked(self) -> bool:
        return self.strategy != Strategy.CHRONOLOGICAL

    @property
    def is_diverse(self) -> bool:
        return self.strategy == Strategy.DIVERSE


def experiment_salt() -> str:
    return getattr(settings, "FEED_EXPERIMENT_SALT", DEFAULT_SALT)


def bucket(user_id: int, salt: str) -> float:
    """A point in [0, 1) that depends only on the person and the salt."""
    digest = hashlib.sha256(f"{salt}:{int(user_id)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def choose_arm(user_id: int, arms, salt: str):
    """The arm whose share of [0, 1) holds the person's point; None when no arm has weight."""
    arms = sorted((arm for arm in arms if arm.weight > 0), key=lambda arm: arm.name)
    total = sum(arm.weight for arm in arms)
    if not total:
        return None
    point = bucket(user_id, salt) * total
    for arm in arms:
        point -= arm.weight
        if point < 0:
            return arm
    return arms[-1]  # only reachable through rounding at the very top of the interval


# Read on every home page: prepared once per connection on PostgreSQL, where the ORM query
# cost about 0.5 ms of Python to build and compile (docs/benchmarks.md).
ACTIVE_ARMS_SQL = """
    SELECT id, name, strategy, weight, is_control, blend FROM feeds_feedarm
    WHERE weight > 0 ORDER BY name
"""
ARM_COLUMNS = ("id", "name", "strategy", "weight", "is_control", "blend")


def active_arms() -> tuple[FeedArm, ...]:
    """The arms people are assigned to (weight above 0), by name; read at most every
    FEED_SERVING_REFRESH_SECONDS in this process, so they are shared and never changed."""
    return recent(("feed-arms",), _read_active_arms, settings.FEED_SERVING_REFRESH_SECONDS)


def _read_active_arms() -> tuple[FeedArm, ...]:
    if connection.vendor != "postgresql":
        return tuple(FeedArm.objects.filter(weight__gt=0))
    with prepared_cursor() as cursor:  # jsonb comes back parsed in binary
        cursor.execute(ACTIVE_ARMS_SQL)
        return tuple(
            FeedArm(**dict(zip(ARM_COLUMNS, row, strict=True))) for row in cursor.fetchall()
        )


def assign(user, *, arms=None) -> Assignment:
    """The person's arm. One small query for the arms unless `arms` is given."""
    if not user.personalised_feed:
        return Assignment(arm=OPTED_OUT_ARM, strategy=Strategy.CHRONOLOGICAL)
    plugged = plugged_arm_of(user)
    if plugged is not None:  # an arm's strategy is its name: feeds.arms.ranker_for
        return Assignment(arm=plugged.name, strategy=plugged.name)
    arm = choose_arm(user.pk, active_arms() if arms is None else arms, experiment_salt())
    if arm is None:
        return Assignment(arm=FALLBACK_ARM, strategy=Strategy.PERSONALISED)
    blend = arm.blend if isinstance(arm.blend, dict) else {}
    return Assignment(
        arm=arm.name, strategy=arm.strategy, blend=dict(blend), is_control=arm.is_control
    )
