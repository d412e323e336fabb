"""A training run's stages: the progress display's fraction done, and each stage's seconds."""

import time
from collections.abc import Callable

Progress = Callable[[str, float, str], None]  # stage, fraction of the whole run done, detail


class Stages:
    def __init__(self, shares: dict[str, float], progress: Progress | None):
        self.shares = shares  # each stage's share of a typical run, in order
        self.progress = progress
        self.seconds: dict[str, float] = {}
        self.started = time.perf_counter()
        self._current: str | None = None
        self._since = self.started

    def __call__(self, name: str | None, detail: str = "") -> None:
        """Enter stage `name` (None: the run is over), ending the one before."""
        now = time.perf_counter()
        if self._current:
            self.seconds[self._current] = round(now - self._since, 3)
        self._current, self._since = name, now
        if self.progress and name:
            names = list(self.shares)
            done = sum(self.shares[n] for n in names[: names.index(name)])
            self.progress(name, done, detail)

    def elapsed(self) -> float:
        return round(time.perf_counter() - self.started, 3)

    def cost(self, memory, metrics: dict) -> dict:
        """End the run: its seconds, peak memory (feeds.training.PeakMemory) and metrics with
        each stage's seconds, as a version records them."""
        self(None)
        return {
            "train_seconds": self.elapsed(),
            "peak_memory_mb": memory.peak_mb(),
            "metrics": {**metrics, "seconds": self.seconds},
        }
