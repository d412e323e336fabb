"""Reads of the ground truth: topics, tastes, what posts are really about, and true utility.

True utility of a post p for a bot b:

    affinity(b, p) = sum_k taste[b, k] * mix[p, k] / max_k taste[b, k]      (0 to 1)
    utility(b, p)  = affinity(b, p) * quality[p]

so a post wholly about a bot's favourite topic has affinity 1. A bot's own posts carry their
true mix (bots.PostTruth); a post by a person has no recorded truth, so its mix is read from
its hashtags (equal weight on each topic one of its hashtags belongs to) and its quality is 1.
"""

from dataclasses import dataclass

import numpy as np

from bots.models import BotProfile, PostTruth, Topic
from bots.writing import TopicWords
from social.models import Post


@dataclass(frozen=True)
class TopicSpace:
    """The world's topics, by index, and which topic each hashtag belongs to."""

    names: list[str]
    words: list[TopicWords]
    topic_of_hashtag: dict[str, int]

    @property
    def size(self) -> int:
        return len(self.names)

    def mix_of_hashtags(self, hashtags) -> dict[int, float]:
        topics = sorted({self.topic_of_hashtag[h] for h in hashtags if h in self.topic_of_hashtag})
        return {topic: 1.0 / len(topics) for topic in topics}

    def vector(self, mix: dict[int, float]) -> np.ndarray:
        dense = np.zeros(self.size)
        for topic, weight in mix.items():
            if 0 <= int(topic) < self.size:
                dense[int(topic)] = weight
        return dense


def topic_space() -> TopicSpace:
    topics = list(Topic.objects.order_by("index"))
    return TopicSpace(
        names=[topic.name for topic in topics],
        words=[TopicWords.of(topic) for topic in topics],
        topic_of_hashtag={tag: topic.index for topic in topics for tag in topic.hashtags},
    )


def normalised_taste(taste) -> np.ndarray:
    """A taste vector scaled so its favourite topic is 1 (affinity's denominator)."""
    vector = np.asarray(taste, dtype=float)
    top = vector.max() if vector.size else 0.0
    return vector / top if top > 0 else vector


def taste_matrix(user_ids, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(bot ids that have a profile, their normalised tastes as rows)."""
    rows = BotProfile.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "taste")
    ids, tastes = [], []
    for user_id, taste in rows:
        ids.append(user_id)
        vector = np.zeros(size)
        vector[: min(size, len(taste))] = taste[:size]
        tastes.append(normalised_taste(vector))
    matrix = np.vstack(tastes) if tastes else np.zeros((0, size))
    return np.asarray(ids, dtype=np.int64), matrix


# Recorded truths held per process: a truth is written once, with its post, and never changes,
# and the ideal arm reads up to 1,800 of them on every page of its bots.
_recorded: dict[int, tuple[dict[int, float], float]] = {}
RECORDED_HELD = 100_000


def post_mixes(post_ids, space: TopicSpace) -> dict[int, tuple[dict[int, float], float]]:
    """post id -> (topic mix, quality): the recorded truth, else read from its hashtags."""
    wanted = {int(pk) for pk in post_ids}
    found = {pk: _recorded[pk] for pk in wanted if pk in _recorded}
    for chunk in _chunks(sorted(wanted - set(found))):
        for post_id, topics, quality in PostTruth.objects.filter(post_id__in=chunk).values_list(
            "post_id", "topics", "quality"
        ):
            found[post_id] = ({int(k): float(v) for k, v in topics.items()}, float(quality))
            if len(_recorded) >= RECORDED_HELD:
                _recorded.clear()
            _recorded[post_id] = found[post_id]
    missing = sorted(wanted - set(found))
    tags: dict[int, list[str]] = {pk: [] for pk in missing}
    for chunk in _chunks(missing):
        rows = Post.hashtags.through.objects.filter(post_id__in=chunk).values_list(
            "post_id", "hashtag__name"
        )
        for post_id, name in rows:
            tags[post_id].append(name)
    for post_id, names in tags.items():
        found[post_id] = (space.mix_of_hashtags(names), 1.0)
    return found


def mix_matrix(post_ids, space: TopicSpace) -> tuple[np.ndarray, np.ndarray]:
    """Rows of topic mixes and the qualities, in the order of `post_ids`."""
    mixes = post_mixes(post_ids, space)
    matrix = np.zeros((len(post_ids), space.size))
    quality = np.ones(len(post_ids))
    for row, post_id in enumerate(post_ids):
        mix, quality[row] = mixes.get(int(post_id), ({}, 1.0))
        matrix[row] = space.vector(mix)
    return matrix, quality


def utility_matrix(tastes: np.ndarray, mixes: np.ndarray, quality: np.ndarray) -> np.ndarray:
    """bots x posts true utility, from normalised tastes (rows) and topic mixes (rows)."""
    return (tastes @ mixes.T) * quality[np.newaxis, :]


def utility(normalised: np.ndarray, mix: dict[int, float], quality: float = 1.0) -> float:
    size = len(normalised)
    affinity = sum(normalised[topic] * weight for topic, weight in mix.items() if topic < size)
    return float(affinity * quality)


def _chunks(values: list, size: int = 5000):
    for start in range(0, len(values), size):
        yield values[start : start + size]
