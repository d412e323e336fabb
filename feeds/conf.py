"""The feed recommender's training settings as one typed value.

The values come from django.conf.settings (FEED_ALS_*, FEED_EVAL_*, FEED_GATE_*, read from the
environment in platform/flywheel/settings.py). A training run resolves them once, when it is
queued, and records them on its ModelVersion (`params`), so what a version was trained with
is never a guess.
"""

from dataclasses import asdict, dataclass, fields
from typing import ClassVar

from django.conf import settings


def _bool(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    return str(raw).strip().lower() in ("1", "true", "yes", "on")


def get(name: str):
    """One FEED_* setting, read at call time so tests and operators can change it."""
    return getattr(settings, name)


class SettingsConfig:
    """A frozen dataclass of a kind's training settings: `SETTINGS` maps each field to its
    setting's name. Subclasses are dataclasses; these build them."""

    SETTINGS: ClassVar[dict[str, str]] = {}

    @classmethod
    def from_settings(cls, overrides: dict | None = None):
        values = {name: get(setting) for name, setting in cls.SETTINGS.items()}
        return cls.from_dict({**values, **(overrides or {})})

    @classmethod
    def from_dict(cls, values: dict):
        """From a version's recorded params; unknown keys are refused, missing ones default."""
        known = {f.name: f for f in fields(cls)}
        unknown = set(values) - set(known)
        if unknown:
            raise ValueError(f"unknown training settings: {', '.join(sorted(unknown))}")
        base = {} if set(values) == set(known) else asdict(cls.from_settings())
        merged = {**base, **values}
        casts = {bool: _bool, int: int, float: float}
        return cls(**{name: casts[f.type](merged[name]) for name, f in known.items()})


@dataclass(frozen=True)
class TrainingConfig(SettingsConfig):
    """Everything one training run of the feed model depends on, besides the data."""

    factors: int
    regularization: float
    alpha: float
    iterations: int
    random_state: int
    eval_users: int
    holdout: float
    gate_enabled: bool
    gate_baseline_lift: float
    gate_active_ratio: float
    gate_min_held_out: int
    gate_min_people: int
    warm_start: bool
    warm_iterations: int
    cold_every: int
    cold_change_share: float

    SETTINGS: ClassVar[dict[str, str]] = {
        "factors": "FEED_ALS_FACTORS",
        "regularization": "FEED_ALS_REGULARIZATION",
        "alpha": "FEED_ALS_ALPHA",
        "iterations": "FEED_ALS_ITERATIONS",
        "random_state": "FEED_ALS_RANDOM_STATE",
        "eval_users": "FEED_EVAL_USERS",
        "holdout": "FEED_EVAL_HOLDOUT",
        "gate_enabled": "FEED_GATE_ENABLED",
        "gate_baseline_lift": "FEED_GATE_BASELINE_LIFT",
        "gate_active_ratio": "FEED_GATE_ACTIVE_RATIO",
        "gate_min_held_out": "FEED_GATE_MIN_HELD_OUT",
        "gate_min_people": "FEED_GATE_MIN_PEOPLE",
        "warm_start": "FEED_ALS_WARM_START",
        "warm_iterations": "FEED_ALS_WARM_ITERATIONS",
        "cold_every": "FEED_ALS_COLD_EVERY",
        "cold_change_share": "FEED_ALS_COLD_CHANGE_SHARE",
    }

    def fit_params(self) -> dict:
        """The hyper-parameters serving needs and the artifact records."""
        return {
            "factors": self.factors,
            "regularization": self.regularization,
            "alpha": self.alpha,
            "iterations": self.iterations,
        }
