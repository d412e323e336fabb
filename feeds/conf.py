"""The feed recommender's training settings as one typed value.

The values come from django.conf.settings (FEED_ALS_*, FEED_EVAL_*, FEED_GATE_*, read from the
environment in platform/flywheel/settings.py). A training run resolves them once, when it is
queued, and records them on its ModelVersion (`params`), so what a version was trained with
is never a guess.
"""

from dataclasses import asdict, dataclass, fields

from django.conf import settings


def _bool(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    return str(raw).strip().lower() in ("1", "true", "yes", "on")


def get(name: str):
    """One FEED_* setting, read at call time so tests and operators can change it."""
    return getattr(settings, name)


@dataclass(frozen=True)
class TrainingConfig:
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

    @classmethod
    def from_settings(cls, overrides: dict | None = None) -> "TrainingConfig":
        values = {
            "factors": get("FEED_ALS_FACTORS"),
            "regularization": get("FEED_ALS_REGULARIZATION"),
            "alpha": get("FEED_ALS_ALPHA"),
            "iterations": get("FEED_ALS_ITERATIONS"),
            "random_state": get("FEED_ALS_RANDOM_STATE"),
            "eval_users": get("FEED_EVAL_USERS"),
            "holdout": get("FEED_EVAL_HOLDOUT"),
            "gate_enabled": get("FEED_GATE_ENABLED"),
            "gate_baseline_lift": get("FEED_GATE_BASELINE_LIFT"),
            "gate_active_ratio": get("FEED_GATE_ACTIVE_RATIO"),
            "gate_min_held_out": get("FEED_GATE_MIN_HELD_OUT"),
            "gate_min_people": get("FEED_GATE_MIN_PEOPLE"),
            "warm_start": get("FEED_ALS_WARM_START"),
            "warm_iterations": get("FEED_ALS_WARM_ITERATIONS"),
            "cold_every": get("FEED_ALS_COLD_EVERY"),
            "cold_change_share": get("FEED_ALS_COLD_CHANGE_SHARE"),
        }
        return cls.from_dict({**values, **(overrides or {})})

    @classmethod
    def from_dict(cls, values: dict) -> "TrainingConfig":
        """From a version's recorded params; unknown keys are refused, missing ones default."""
        known = {f.name: f for f in fields(cls)}
        unknown = set(values) - set(known)
        if unknown:
            raise ValueError(f"unknown training settings: {', '.join(sorted(unknown))}")
        base = {} if set(values) == set(known) else asdict(cls.from_settings())
        merged = {**base, **values}
        casts = {bool: _bool, int: int, float: float}
        return cls(**{name: casts[f.type](merged[name]) for name, f in known.items()})

    def fit_params(self) -> dict:
        """The hyper-parameters serving needs and the artifact records."""
        return {
            "factors": self.factors,
            "regularization": self.regularization,
            "alpha": self.alpha,
            "iterations": self.iterations,
        }
