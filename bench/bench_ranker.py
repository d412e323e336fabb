"""What the learned ranker adds to a first page: features and scoring of its candidates.

    .venv/bin/python bench/bench_ranker.py [pages]

A ranker as training leaves it (scikit-learn's HistGradientBoostingClassifier with the
FEED_RANKER_* defaults: 200 trees of 15 leaves, fitted on 200,000 examples weighted by their
reading time, then calibrated), then, for pages
of 100, 300 and 600 candidates, each page's candidates with random sources, ages and
popularity:

- blend: the hand blend's scores, reasons and order (feeds.ranking.score_and_explain), the
  work every ranked arm already does: the yardstick;
- features: the candidates' FEATURES rows (feeds.ranker_features.feature_rows);
- ranker: predicted engagement for every candidate and the order by it
  (feeds.learned.order_by_ranker), on one thread, as web processes run it.

The target is features + ranker under 3 ms at p99 for a page's few hundred candidates. The
social context the features need (one statement: the person's likes per candidate author,
their followees' likes per candidate) is a database round trip, measured with the pages in
bench/bench_home_feed.py; no database is used here.
"""

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flywheel.settings")
os.environ.setdefault("FLYWHEEL_DEVELOPMENT", "true")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from feeds.learned import Ranker, order_by_ranker  # noqa: E402
from feeds.ranker_features import FEATURES, feature_rows  # noqa: E402
from feeds.ranker_training import RankerConfig, fit_ranker  # noqa: E402
from feeds.ranking import (  # noqa: E402
    DEFAULT_BLEND,
    SOURCE_PRIORITY,
    Candidate,
    score_and_explain,
    source_scores,
)

EXAMPLES = 200_000
SIZES = (100, 300, 600)
SOURCES = [s for s in SOURCE_PRIORITY if s not in ("own", "shared", "popular", "interests")]


def trained_ranker(rng) -> tuple[Ranker, float]:
    features = rng.random((EXAMPLES, len(FEATURES))).astype(np.float32)
    signal = features[:, 0] * 2 + features[:, FEATURES.index("followee_likes")] * features[:, 3]
    engaged = rng.random(EXAMPLES) < 1 / (1 + np.exp(-(signal - 2.0) * 2))
    read_ms = np.where(engaged, rng.integers(2_000, 20_000, EXAMPLES), 0)  # weighted as trained
    started = time.perf_counter()
    model = fit_ranker(features, engaged, RankerConfig.from_settings(), read_ms)
    return Ranker(version_id=0, model=model), time.perf_counter() - started


def page(rng, size: int, now) -> list[Candidate]:
    candidates = []
    for n in range(size):
        found = rng.choice(SOURCES, size=rng.integers(1, 3), replace=False)
        candidates.append(
            Candidate(
                id=n + 1,
                author_id=int(rng.integers(1, 200)),
                author=f"author{n}",
                group_id=None,
                group_name=None,
                likes=int(rng.integers(0, 80)),
                shares=int(rng.integers(0, 10)),
                created_at=now - timedelta(hours=float(rng.random() * 48)),
                sources={source: float(rng.random()) for source in found},
                hashtags=frozenset({f"tag{rng.integers(0, 30)}"}),
            )
        )
    return candidates


def percentile(values, share: float) -> float:
    return float(np.percentile(values, share * 100))


def main(pages: int) -> None:
    rng = np.random.default_rng(0)
    threadpool_limits(1)  # as a web process (feeds.learned)
    ranker, fit_seconds = trained_ranker(rng)
    print(
        f"ranker: {len(FEATURES)} features, fitted on {EXAMPLES:,} examples in {fit_seconds:.1f} s"
    )
    print(f"{'candidates':>10} {'stage':<10} {'p50 ms':>8} {'p99 ms':>8}")
    now = timezone.now()
    for size in SIZES:
        timings = {"blend": [], "features": [], "ranker": [], "added": []}
        for n in range(pages + 20):
            candidates = page(rng, size, now)
            t0 = time.perf_counter()
            scores = source_scores(candidates, now=now)
            score_and_explain(
                candidates, weights=DEFAULT_BLEND, now=now, interests=[], scores=scores
            )
            t1 = time.perf_counter()
            rows = feature_rows(
                candidates, scores=scores, now=now, interests=["tag1"], context=({}, {})
            )
            t2 = time.perf_counter()
            order_by_ranker(ranker, candidates, rows)
            t3 = time.perf_counter()
            if n >= 20:  # warm-up pages are not counted
                timings["blend"].append((t1 - t0) * 1e3)
                timings["features"].append((t2 - t1) * 1e3)
                timings["ranker"].append((t3 - t2) * 1e3)
                timings["added"].append((t3 - t1) * 1e3)
        for stage, values in timings.items():
            print(
                f"{size:>10} {stage:<10} {percentile(values, 0.5):>8.2f} "
                f"{percentile(values, 0.99):>8.2f}"
            )
    print("added = features + ranker; target: under 3 ms at p99")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
