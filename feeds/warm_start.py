"""Where a retrain's fit starts: from the active version's factors (warm) or from scratch.

A warm fit starts every known person and post at the active version's vectors, aligned by id,
and new ones as implicit itself starts them (uniform in [0, 0.01)), then runs
`warm_iterations` instead of `iterations`: most of the model is already where the data puts
it. Warm starts compound their shortcuts, so every `cold_every`-th retrain, and any retrain
whose interactions grew by more than `cold_change_share` since the active version, fits from
scratch. The gate judges either kind of version the same way, on the same hold-out.
"""

from dataclasses import dataclass

import numpy as np
from implicit.utils import check_random_state

from feeds.artifacts import FactorModel
from feeds.conf import TrainingConfig
from feeds.models import ModelVersion


@dataclass(frozen=True)
class FitStart:
    why: str  # in words, for the version's record
    iterations: int
    from_version: int | None = None  # None: from scratch
    user_factors: np.ndarray | None = None
    item_factors: np.ndarray | None = None

    @property
    def warm(self) -> bool:
        return self.from_version is not None


def cold(config: TrainingConfig, why: str) -> FitStart:
    return FitStart(why=why, iterations=config.iterations)


def warm_chain(version: ModelVersion) -> int:
    """How many warm fits in a row led to `version` (0 if it was fitted from scratch)."""
    chain, current = 0, version
    while current is not None and current.warm_from is not None:
        chain += 1
        current = ModelVersion.objects.filter(pk=current.warm_from).only("warm_from").first()
    return chain


def aligned(
    old_factors: np.ndarray, old_ids: np.ndarray, ids: np.ndarray, random_state
) -> np.ndarray:
    """Factors for `ids` (ascending): the old vector where the old model knew the id, else
    implicit's own random start."""
    factors = np.asarray(old_factors).shape[1]
    start = random_state.random((len(ids), factors), dtype=np.float32) * 0.01
    at = np.searchsorted(old_ids, ids)
    clipped = np.minimum(at, max(len(old_ids) - 1, 0))
    known = (at < len(old_ids)) & (np.asarray(old_ids)[clipped] == ids) if len(old_ids) else at < 0
    start[known] = np.asarray(old_factors, dtype=np.float32)[clipped[known]]
    return start


def choose_start(
    config: TrainingConfig,
    champion: ModelVersion | None,
    champion_model: FactorModel | None,
    *,
    user_ids: np.ndarray,
    post_ids: np.ndarray,
    nonzeros: int,
) -> FitStart:
    """Warm from the active version when that is sound, else from scratch, saying why."""
    if not config.warm_start:
        return cold(config, "warm starts are turned off")
    if champion is None or champion_model is None:
        return cold(config, "no active version to start from")
    if champion_model.user_factors.shape[1] != config.factors:
        return cold(config, "the number of factors changed")
    last = ModelVersion.objects.filter(kind=champion.kind, pk__gt=champion.pk).exclude(
        state__in=(ModelVersion.State.QUEUED, ModelVersion.State.TRAINING)
    )
    if last.filter(state=ModelVersion.State.REJECTED, warm_from__isnull=False).exists():
        # A warm start can settle where the data no longer puts the model, and retrying from
        # the same place would fail the same way: the loop must not stall on it.
        return cold(config, "a warm fit since the active version was rejected")
    chain = warm_chain(champion) + 1
    if config.cold_every and chain >= config.cold_every:
        return cold(config, f"every {config.cold_every}th retrain fits from scratch")
    grown = 1 - champion.nonzeros / nonzeros if nonzeros else 0.0
    if grown > config.cold_change_share:
        return cold(
            config,
            f"the interactions grew by {grown:.0%} since v{champion.pk}, more than "
            f"{config.cold_change_share:.0%}",
        )
    random_state = check_random_state(config.random_state)
    return FitStart(
        why=f"warm from v{champion.pk} ({chain} in a row), interactions grew by {grown:.0%}",
        iterations=config.warm_iterations,
        from_version=champion.pk,
        user_factors=aligned(
            champion_model.user_factors, champion_model.user_ids, user_ids, random_state
        ),
        item_factors=aligned(
            champion_model.item_factors, champion_model.post_ids, post_ids, random_state
        ),
    )
