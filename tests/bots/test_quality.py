"""Judging model versions against the truth."""

import numpy as np
import pytest
from django.utils import timezone

from bots.models import BotProfile, ModelTruthScore, PostTruth
from bots.quality import score_served_versions, score_version
from bots.seeding import ensure_topics
from feeds.artifacts import save_factor_model
from feeds.models import ModelKind, ModelVersion
from social import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """6 bots with one-topic tastes, 40 posts over 4 topics with varied quality."""
    ensure_topics(20)
    rng = np.random.default_rng(0)
    bots = []
    for i in range(6):
        user = UserFactory(username=f"bot{i}", is_bot=True)
        taste = [0.0] * 20
        taste[i % 4] = 0.7
        taste[(i + 1) % 4] = 0.3
        rates = dict.fromkeys(
            ["activity", "post_propensity", "session_length", "position_decay", "like_rate",
             "share_rate", "comment_rate", "follow_rate", "click_rate", "ad_click_rate"], 0.5,
        )  # fmt: skip
        BotProfile.objects.create(user=user, taste=taste, **rates)
        bots.append((user.pk, np.array(taste)))
    return bots, posts_with_truth(UserFactory(username="writer"), 40, rng)


def posts_with_truth(writer, count: int, rng) -> list[tuple[int, np.ndarray]]:
    """`count` posts over 4 topics with varied quality, and each one's true topic mix."""
    posts = []
    for n in range(count):
        post = services.post_create(author=writer, text=f"post {n}")
        topic, quality = n % 4, float(rng.uniform(0.5, 2.0))
        PostTruth.objects.create(post=post, topics={topic: 1.0}, main_topic=topic, quality=quality)
        mix = np.zeros(20)
        mix[topic] = quality
        posts.append((post.pk, mix))
    return posts


def version_with(bots, posts, *, user_factors, item_factors) -> ModelVersion:
    """A feed version that went live now, the one before it retired."""
    ModelVersion.objects.filter(kind=ModelKind.FEED_ALS, state="active").update(state="retired")
    version = ModelVersion.objects.create(
        kind=ModelKind.FEED_ALS, state="active", activated_at=timezone.now()
    )
    path = save_factor_model(
        ModelKind.FEED_ALS,
        version.pk,
        user_factors=user_factors,
        item_factors=item_factors,
        user_ids=[pk for pk, _ in bots],
        post_ids=[pk for pk, _ in posts],
        meta={},
    )
    version.artifact_path = str(path)
    version.save()
    return version


def test_a_model_that_knows_the_truth_scores_one(world):
    bots, posts = world
    perfect = version_with(
        bots, posts,
        user_factors=np.array([taste for _, taste in bots]),
        item_factors=np.array([mix for _, mix in posts]),
    )  # fmt: skip
    score = score_version(perfect)
    assert score.recall == pytest.approx(1.0)
    assert score.utility_ratio == pytest.approx(1.0)
    assert (score.bots, score.items) == (6, 40)
    # The first served version: its posts are the catalogue later versions are judged on too.
    assert score.first_posts_upto == score.posts_upto == posts[-1][0]
    assert score.first_posts_recall == pytest.approx(1.0)
    assert score.new_posts_recall is None  # no post is newer than its own


def test_a_grown_catalogue_is_told_apart_from_forgotten_tastes(world):
    """Recall over every known post falls when new posts come that the model does not know
    yet, though it knows the tastes as well as before; recall over the first version's posts
    holds then, and falls only when the model forgets them."""
    bots, posts = world
    tastes = np.array([taste for _, taste in bots])
    mixes = np.array([mix for _, mix in posts])
    first = score_version(version_with(bots, posts, user_factors=tastes, item_factors=mixes))
    newer = posts_with_truth(UserFactory(username="newcomer"), 40, np.random.default_rng(1))
    unknown = -np.array([mix for _, mix in newer])
    grown = score_version(
        version_with(
            bots, posts + newer, user_factors=tastes, item_factors=np.vstack([mixes, unknown])
        )
    )
    assert grown.recall < 0.8 * first.recall  # the whole catalogue's figure falls...
    assert grown.first_posts_upto == first.posts_upto
    assert grown.first_posts_recall == pytest.approx(1.0)  # ...the tastes are still known
    assert grown.new_posts_recall == 0.0
    forgot = score_version(
        version_with(
            bots, posts + newer, user_factors=tastes, item_factors=np.vstack([-mixes, unknown])
        )
    )
    assert forgot.first_posts_recall == 0.0


def test_a_wrong_model_scores_low_and_scores_outlive_the_artifact(world, tmp_path):
    bots, posts = world
    wrong = version_with(
        bots, posts,
        user_factors=np.array([taste for _, taste in bots]),
        item_factors=-np.array([mix for _, mix in posts]),
    )  # fmt: skip
    score = score_version(wrong)
    assert score.recall == 0.0 and score.utility_ratio < 0.2
    import shutil

    shutil.rmtree(wrong.artifact_path)
    assert score_version(wrong) == score  # stored: the report still shows pruned versions
    gone = ModelVersion.objects.create(
        kind=ModelKind.FEED_ALS, state="retired", activated_at=timezone.now(),
        artifact_path=str(tmp_path / "nothing"),
    )  # fmt: skip
    assert score_version(gone) is None
    assert [s.version_id for s in score_served_versions()] == [wrong.pk]
    assert ModelTruthScore.objects.count() == 1
