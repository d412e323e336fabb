"""What the loop does to the whole, per experiment arm, from the bots' events and their truth.

- Concentration: the Gini coefficient (and the top 1% share) of home-feed impressions across
  authors, counting every author shown in any arm (zeros included), so arms compare on the
  same people.
- Homogenisation: the mean Jaccard similarity of the sets of posts consumed (read: a dwell on
  the home feed) by random pairs of bots in the arm.
- Filter bubble: the topic entropy (bits) of what each bot was shown on its home feed (the
  posts' true topic mixes, summed), averaged over the arm's bots.
- Utility: the mean true utility of the posts each bot consumed, averaged over the arm's bots.

A bot's arm is analytics.engagement's rule; up to `sample` bots per arm are measured (seeded).
"""

import random
from collections import defaultdict
from dataclasses import asdict, dataclass, field

import numpy as np
from django.db import connection

from analytics import metrics
from analytics.engagement import arms_of_people
from bots.models import BotProfile
from bots.truth import normalised_taste, post_mixes, topic_space, utility
from events.models import Event, EventKind, Surface


@dataclass
class ArmEffects:
    arm: str
    bots: int = 0
    sampled: int = 0
    exposure_gini: float = 0.0
    top_author_share: float = 0.0
    homogenisation: float = 0.0
    topic_entropy: float = 0.0
    utility: float = 0.0
    consumed_per_bot: float = 0.0
    utilities: list[float] = field(default_factory=list)  # each sampled bot's, for intervals

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "utilities"}


def exposure_by_arm(*, start, end, bots) -> dict[str, list[int]]:
    """Impressions per author for each arm, over the same authors (zeros where an arm never
    showed an author)."""
    subquery, params = bots.values("pk").query.sql_with_params()
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT e.arm, p.author_id, COUNT(*)
            FROM analytics_event e JOIN social_post p ON p.id = e.post_id
            WHERE e.kind = %s AND e.created_at >= %s AND e.created_at < %s AND e.arm <> ''
              AND e.user_id IN ({subquery})
            GROUP BY e.arm, p.author_id
            """,
            [int(EventKind.IMPRESSION), adapt(start), adapt(end), *params],
        )
        rows = cursor.fetchall()
    authors = sorted({author for _, author, _ in rows})
    column = {author: i for i, author in enumerate(authors)}
    exposure: dict[str, list[int]] = {}
    for arm, author, count in rows:
        exposure.setdefault(arm, [0] * len(authors))[column[author]] = count
    return exposure


def _sample_by_arm(arms: dict[int, str], sample: int, seed: int) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = defaultdict(list)
    for user_id, arm in sorted(arms.items()):
        grouped[arm].append(user_id)
    rng = random.Random(seed)
    return {
        arm: sorted(rng.sample(people, min(sample, len(people)))) for arm, people in grouped.items()
    }


def _home_events(user_ids: list[int], *, start, end):
    """(user, post, kind) of home impressions and dwells of these bots in the window."""
    for offset in range(0, len(user_ids), 1000):
        yield from Event.objects.filter(
            user_id__in=user_ids[offset : offset + 1000],
            created_at__gte=start,
            created_at__lt=end,
            kind__in=[EventKind.IMPRESSION, EventKind.DWELL],
            surface=Surface.HOME,
            post_id__isnull=False,
        ).values_list("user_id", "post_id", "kind")


def arm_effects(*, start, end, bots, sample: int = 300, seed: int = 0) -> dict[str, ArmEffects]:
    arms = arms_of_people(start=start, end=end, user_ids=bots)
    chosen = _sample_by_arm(arms, sample, seed)
    everyone = [user for people in chosen.values() for user in people]
    shown: dict[int, list[int]] = defaultdict(list)
    consumed: dict[int, set[int]] = defaultdict(set)
    for user_id, post_id, kind in _home_events(everyone, start=start, end=end):
        if kind == EventKind.IMPRESSION:
            shown[user_id].append(post_id)
        else:
            consumed[user_id].add(post_id)
    space = topic_space()
    mixes = post_mixes(
        {p for posts in shown.values() for p in posts}
        | {p for posts in consumed.values() for p in posts},
        space,
    )
    tastes = dict(BotProfile.objects.filter(user_id__in=everyone).values_list("user_id", "taste"))
    results: dict[str, ArmEffects] = {}
    counts = defaultdict(int)
    for arm in arms.values():
        counts[arm] += 1
    for arm, people in chosen.items():
        entropies, utilities, sets = [], [], []
        for user_id in people:
            topics = np.zeros(space.size)
            for post_id in shown[user_id]:
                topics += space.vector(mixes[post_id][0])
            if topics.sum() > 0:
                entropies.append(metrics.entropy(topics.tolist()))
            taste = normalised_taste(tastes.get(user_id, []))
            if consumed[user_id] and len(taste):
                utilities.append(
                    float(np.mean([utility(taste, *mixes[p]) for p in consumed[user_id]]))
                )
            sets.append(consumed[user_id])
        results[arm] = ArmEffects(
            arm=arm,
            bots=counts[arm],
            sampled=len(people),
            homogenisation=metrics.mean_pairwise_jaccard(sets, seed=seed),
            topic_entropy=float(np.mean(entropies)) if entropies else 0.0,
            utility=float(np.mean(utilities)) if utilities else 0.0,
            utilities=utilities,
            consumed_per_bot=float(np.mean([len(s) for s in sets])) if sets else 0.0,
        )
    for arm, exposure in exposure_by_arm(start=start, end=end, bots=bots).items():
        effects = results.setdefault(arm, ArmEffects(arm=arm))
        effects.exposure_gini = metrics.gini(exposure)
        effects.top_author_share = metrics.top_share(exposure, 0.01)
    return results
