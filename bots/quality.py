"""Judging feed model versions against the truth: recall@20 of each version against each
bot's top posts by true utility.

For a sample of bots the version knows: the version's top 20 posts (user factors x item
factors, over every post it knows, the bot's own posts left out) against the bot's true top 20
over the same posts (bots.truth). Recall@20 is the overlap over 20; the utility ratio is the
true utility of the version's 20 over that of the true 20 (1 would be perfect). Scores are
stored (bots.ModelTruthScore), because old artifacts are pruned.

Recall over every known post falls as the catalogue grows, however well a model knows the
tastes: the true top 20 of 30,000 posts is harder to hit than that of 5,000, and new posts have
few interactions to learn from. So each version is also scored over a catalogue that does not
move, the posts the first served version knew (the world when the loop started), and over the
posts made since: a model that forgets the tastes falls on the first, one that only meets a
bigger catalogue holds there and is low on the second.
"""

import numpy as np

from bots.models import BotProfile, ModelTruthScore
from bots.truth import mix_matrix, taste_matrix, topic_space, utility_matrix
from feeds import registry
from feeds.artifacts import load_factor_model
from feeds.models import ModelKind, ModelVersion
from social.models import Post

K = 20
SAMPLE_BOTS = 300
CHUNK = 25  # bots scored at once: CHUNK x posts floats in memory


def score_version(version: ModelVersion, *, sample: int = SAMPLE_BOTS, seed: int = 0):
    """The version's ModelTruthScore, computed now if it is not stored yet; None when its
    artifact is gone or it knows no bot. Versions are scored oldest first (the driver does),
    so the first served version's catalogue is known when a later one is scored."""
    stored = ModelTruthScore.objects.filter(version=version).first()
    if stored is not None:
        return stored
    if not registry.artifact_exists(version):
        return None
    model = load_factor_model(version.artifact_path)
    bots = np.intersect1d(
        np.asarray(model.user_ids),
        np.array(BotProfile.objects.values_list("user_id", flat=True), dtype=np.int64),
    )
    if not len(bots) or len(model.post_ids) < K:
        return None
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(bots, size=min(sample, len(bots)), replace=False))
    space = topic_space()
    post_ids = np.asarray(model.post_ids)
    mixes, quality = mix_matrix(post_ids.tolist(), space)
    authors = dict(Post.objects.filter(pk__in=post_ids.tolist()).values_list("pk", "author_id"))
    author_of = np.array([authors.get(int(p), 0) for p in post_ids], dtype=np.int64)
    ids, tastes = taste_matrix(chosen.tolist(), space.size)
    items = np.asarray(model.item_factors, dtype=np.float32)
    first_upto = _first_catalogue_upto(version, post_ids)
    first_posts = None if first_upto is None else post_ids <= first_upto
    recalls, ratios = [], []
    first_recalls, new_recalls = [], []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = np.array([model.user_row(int(u)) for u in chunk])
        predicted = np.asarray(model.user_factors, dtype=np.float32)[rows] @ items.T
        truth = utility_matrix(tastes[start : start + CHUNK], mixes, quality)
        own = author_of[np.newaxis, :] == chunk[:, np.newaxis]
        predicted[own], truth[own] = -np.inf, -np.inf
        for row in range(len(chunk)):
            best = np.argpartition(-truth[row], K)[:K]
            picked = np.argpartition(-predicted[row], K)[:K]
            recalls.append(len(np.intersect1d(best, picked)) / K)
            ideal = truth[row, best].sum()
            ratios.append(float(truth[row, picked].sum() / ideal) if ideal > 0 else 0.0)
            if first_posts is not None:
                first_recalls.append(_recall_within(truth[row], predicted[row], first_posts))
                new_recalls.append(_recall_within(truth[row], predicted[row], ~first_posts))
    return ModelTruthScore.objects.create(
        version=version,
        recall=float(np.mean(recalls)),
        utility_ratio=float(np.mean(ratios)),
        bots=len(ids),
        items=len(post_ids),
        posts_upto=int(post_ids.max()),
        first_posts_upto=first_upto,
        first_posts_recall=_mean(first_recalls),
        new_posts_recall=_mean(new_recalls),
    )


def _first_catalogue_upto(version: ModelVersion, post_ids: np.ndarray) -> int | None:
    """The newest post the first served feed version knew (this version's own when it is the
    first); None when that version was never scored."""
    first = (
        ModelVersion.objects.filter(kind=ModelKind.FEED_ALS, activated_at__isnull=False)
        .order_by("activated_at", "id")
        .first()
    )
    if first is None or first.pk == version.pk:
        return int(post_ids.max())
    return (
        ModelTruthScore.objects.filter(version=first).values_list("posts_upto", flat=True).first()
    )


def _recall_within(truth: np.ndarray, predicted: np.ndarray, within: np.ndarray) -> float | None:
    """Recall@20 with both top 20s taken among `within` only; None when it holds too few
    posts for a top 20 to mean anything."""
    if np.count_nonzero(within & np.isfinite(truth)) < 2 * K:
        return None
    best = np.argpartition(-np.where(within, truth, -np.inf), K)[:K]
    picked = np.argpartition(-np.where(within, predicted, -np.inf), K)[:K]
    return len(np.intersect1d(best, picked)) / K


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return float(np.mean(known)) if known else None


def score_served_versions(*, sample: int = SAMPLE_BOTS) -> list[ModelTruthScore]:
    """Score every feed version that served (active now or before) and still has its
    artifact; the ones scored before are read back."""
    served = ModelVersion.objects.filter(
        kind=ModelKind.FEED_ALS, activated_at__isnull=False
    ).order_by("id")
    scores = [score_version(version, sample=sample) for version in served]
    return [score for score in scores if score is not None]
