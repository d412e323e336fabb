"""The sources' scores, computed on arrays for a page's few hundred candidates, are each
source's own rule worked out candidate by candidate."""

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from feeds.ranking import POPULARITY_SCALE, SOURCE_PRIORITY, Candidate, source_scores

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def recency(moment, half_life_hours):
    return 0.5 ** (max((NOW - moment).total_seconds() / 3600, 0.0) / half_life_hours)


def popularity(candidate):
    return min(
        1.0, math.log1p(candidate.likes + 2 * candidate.shares) / math.log1p(POPULARITY_SCALE)
    )


def expected(source: str, candidate: Candidate) -> float:
    if source in ("model", "trending"):
        return candidate.sources[source]
    if source in ("following", "own"):
        return recency(candidate.created_at, 24)
    if source == "shared":
        return recency(candidate.shared["at"], 24)
    if source == "groups":
        return 0.5 * recency(candidate.created_at, 24) + 0.5 * popularity(candidate)
    if source == "fresh":
        return recency(candidate.created_at, 6)
    if source == "popular":
        return popularity(candidate)
    assert source == "interests"
    return recency(candidate.created_at, 24 * 7)


def candidates(count: int, rng: random.Random) -> list[Candidate]:
    made = []
    for n in range(count):
        found = rng.sample([*SOURCE_PRIORITY, "elsewhere"], rng.randint(1, 3))
        shared = "shared" in found
        made.append(
            Candidate(
                id=n + 1, author_id=1, author="bo", group_id=None, group_name=None,
                likes=rng.randint(0, 500), shares=rng.randint(0, 50),
                created_at=NOW - timedelta(hours=rng.uniform(-1, 400)),
                sources={source: rng.random() for source in found},
                shared={"username": "cy", "comment": "", "at": NOW - timedelta(hours=3)}
                if shared else None,
            )
        )  # fmt: skip
    return made


@pytest.mark.parametrize("count", [0, 1, 300])
def test_each_score_is_its_sources_rule(count):
    listed = candidates(count, random.Random(count))
    scores = source_scores(listed, now=NOW)
    assert scores.shape == (count, len(SOURCE_PRIORITY))
    for row, candidate in enumerate(listed):
        for column, source in enumerate(SOURCE_PRIORITY):
            if source in candidate.sources:
                assert scores[row, column] == pytest.approx(expected(source, candidate))
            else:
                assert math.isnan(scores[row, column])  # not found by it (or "elsewhere")
