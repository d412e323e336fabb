"""Progress of a long command by stages: a tqdm bar per stage on a terminal, one line per
stage otherwise (logs, pipes)."""

import time


class StageProgress:
    def __init__(self, stream, *, interactive: bool, enabled: bool = True):
        self.stream = stream
        self.interactive = interactive
        self.enabled = enabled
        self.stage = None
        self.bar = None
        self.started = time.perf_counter()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if stage != self.stage:
            self.close()
            self.stage, self.started = stage, time.perf_counter()
            if self.interactive:
                from tqdm import tqdm

                self.bar = tqdm(total=total, desc=f"{stage:<24}", unit=" rows", leave=True)
        if self.bar is not None:
            self.bar.total = total
            self.bar.n = done
            self.bar.refresh()
        elif done >= total:
            seconds = time.perf_counter() - self.started
            self.stream.write(f"  {stage}: {total:,} in {seconds:.1f} s")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
