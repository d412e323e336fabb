"""How the sources blend into one ranked list with reasons, and what people and groups both
read of whom the viewer follows."""

from collections import defaultdict
from dataclasses import dataclass, field

from social.models import Follow

CANDIDATES = 50  # per source

# How much each source counts in the blend; a person found by several adds them up.
WEIGHTS = {"engaged": 3.0, "friends": 2.0, "similar": 1.5, "topic": 2.0, "popular": 0.5}


@dataclass
class Suggestion:
    """A person or a group, the reason to show first, and every true reason found."""

    target: object
    score: float
    source: str
    reason: str
    reasons: list[str] = field(default_factory=list)

    @property
    def person(self):
        return self.target

    @property
    def group(self):
        return self.target


class _Candidates:
    """Scores and reasons per id, gathered source by source."""

    def __init__(self, excluded: set[int]):
        self.excluded = excluded
        self.found: dict[int, list[tuple[float, str, str]]] = defaultdict(list)

    def add(self, target_id: int, source: str, strength: float, reason: str) -> None:
        if target_id in self.excluded:
            return
        self.found[target_id].append((WEIGHTS[source] * strength, source, reason))

    def fill(self, target_id: int, source: str, strength: float, reason: str) -> None:
        """Add only someone no other source found (popularity is a fallback, not a reason
        stacked on the others)."""
        if target_id not in self.found:
            self.add(target_id, source, strength, reason)

    def ranked(self, limit: int) -> list[tuple[int, float, str, str, list[str]]]:
        rows = []
        for target_id, entries in self.found.items():
            entries.sort(key=lambda e: -e[0])
            total = sum(score for score, _, _ in entries)
            _, source, reason = entries[0]
            rows.append((target_id, total, source, reason, [r for _, _, r in entries]))
        rows.sort(key=lambda r: (-r[1], r[0]))
        return rows[:limit]


def _followees(viewer):
    return Follow.objects.filter(follower=viewer).values("followee_id")


def _whom_you_follow(username: str, count: int) -> str:
    """Say "@ana, whom you follow" or "@ana and 2 others you follow"."""
    if count == 1:
        return f"@{username}, whom you follow"
    others = count - 1
    return f"@{username} and {others} other{'s' if others > 1 else ''} you follow"
