"""Builders for the home-feed tests (ranking, experiments, snapshots, the home page and API).
No tests live here.

`install_model` trains a real (small) ALS model on a synthetic world where each cluster of
posts is liked by its own crowd, writes it as an artifact and activates it, the way the
training pipeline would leave it, without running that pipeline.
"""

import itertools
import re
from datetime import timedelta

import numpy as np
import scipy.sparse as sp
from django.utils import timezone
from implicit.cpu.als import AlternatingLeastSquares
from threadpoolctl import threadpool_limits

from feeds import retrieval
from feeds.artifacts import save_factor_model
from feeds.models import FeedArm, ModelKind, ModelVersion, Trend
from social import services
from social.models import Follow, Like, Membership, Post, Share
from tests.factories import UserFactory

_numbers = itertools.count(1)
CROWD = 10  # synthetic people per cluster in the training matrix
SYNTHETIC_USER_IDS = 10_000_000  # nobody real: the viewer is folded in from their events


def person(username: str | None = None, **fields):
    """A person without a usable password (tests sign in with force_login or a token)."""
    fields.setdefault("password", None)
    return UserFactory(username=username or f"reader{next(_numbers)}", **fields)


def write(author, text: str | None = None, *, age: timedelta | None = None, **kwargs) -> Post:
    """A post through the service (hashtags linked, event recorded), optionally backdated."""
    post = services.post_create(author=author, text=text or f"note {next(_numbers)}", **kwargs)
    if age is not None:
        post.created_at = timezone.now() - age
        Post.objects.filter(pk=post.pk).update(created_at=post.created_at)
    return post


def put_everyone_in(strategy: str, *, blend: dict | None = None) -> FeedArm:
    """Only the arm with this strategy keeps a weight, so everyone is assigned to it."""
    FeedArm.objects.update(weight=0)
    arm = FeedArm.objects.filter(strategy=strategy).order_by("name").first()
    arm.weight = 1
    arm.blend = blend or {}
    arm.save()
    return arm


def install_model(clusters: list[list[Post]], *, factors: int = 2) -> ModelVersion:
    """Train ALS on crowds that each like the posts of one cluster, and activate it (with
    its index, as training writes it)."""
    rows, cols = [], []
    post_ids = [post.pk for cluster in clusters for post in cluster]
    rng = np.random.default_rng(3)
    column = 0
    for index, cluster in enumerate(clusters):
        for user in range(index * CROWD, (index + 1) * CROWD):
            for offset in range(len(cluster)):
                if rng.random() < 0.9:
                    rows.append(user)
                    cols.append(column + offset)
        column += len(cluster)
    matrix = sp.csr_matrix(
        (np.full(len(rows), 4.0, dtype=np.float32), (rows, cols)),
        shape=(CROWD * len(clusters), len(post_ids)),
    )
    params = {"factors": factors, "regularization": 0.1, "alpha": 1.0, "iterations": 15}
    with threadpool_limits(1, "blas"):
        als = AlternatingLeastSquares(random_state=1, **params)
        als.fit(matrix, show_progress=False)
    ModelVersion.objects.filter(kind=ModelKind.FEED_ALS, state=ModelVersion.State.ACTIVE).update(
        state=ModelVersion.State.RETIRED
    )
    version = ModelVersion.objects.create(
        kind=ModelKind.FEED_ALS, state=ModelVersion.State.READY, params=params
    )
    path = save_factor_model(
        ModelKind.FEED_ALS,
        version.pk,
        user_factors=als.user_factors,
        item_factors=als.item_factors,
        user_ids=np.arange(SYNTHETIC_USER_IDS, SYNTHETIC_USER_IDS + matrix.shape[0]),
        post_ids=np.array(post_ids),
        meta={"params": params},
        extras=lambda folder, arrays: retrieval.write_index(arrays["item_factors"], folder),
    )
    version.artifact_path = str(path)
    version.state = ModelVersion.State.ACTIVE
    version.activated_at = timezone.now()
    version.save()
    return version


def trend(post: Post, rank: int = 1) -> Trend:
    return Trend.objects.create(
        kind=Trend.Kind.POST, post=post, score=10.0 / rank, rank=rank, computed_at=timezone.now()
    )


def api_home(client, **params) -> dict:
    response = client.get("/api/timeline/home/", params)
    assert response.status_code == 200, response.content
    return response.json()


def assert_reason_is_true(viewer, post_id: int, reason: str, *, model_posts=()) -> None:
    """Check a reason's claim against the database, independently of the ranker."""
    post = Post.objects.select_related("author", "group").get(pk=post_id)
    tags = set(post.hashtags.values_list("name", flat=True))
    now = timezone.now()
    if match := re.fullmatch(r"from @(\S+), whom you follow", reason):
        assert post.author.username == match[1], reason
        assert Follow.objects.filter(follower=viewer, followee=post.author).exists(), reason
    elif match := re.fullmatch(r"shared by @(\S+), whom you follow", reason):
        assert Share.objects.filter(post=post, user__username=match[1]).exists(), reason
        assert Follow.objects.filter(follower=viewer, followee__username=match[1]).exists()
    elif match := re.fullmatch(r"(popular in|from your group) (.+)", reason):
        assert post.group is not None and post.group.name == match[2], reason
        assert Membership.objects.filter(
            group=post.group, user=viewer, state=Membership.State.ACTIVE
        ).exists(), reason
        if match[1] == "popular in":
            assert post.like_count >= 3, reason
    elif reason == "trending now":
        assert Trend.objects.filter(kind=Trend.Kind.POST, post=post).exists(), reason
    elif match := re.fullmatch(r"new from @(\S+)", reason):
        assert post.author.username == match[1], reason
        assert post.created_at >= now - timedelta(hours=48), reason
    elif match := re.fullmatch(r"because you liked posts about #(\S+)", reason):
        assert match[1] in tags, reason
        assert Like.objects.filter(user=viewer, post__hashtags__name=match[1]).exists(), reason
        assert post.pk in model_posts, reason
    elif reason == "because people with similar taste liked it":
        assert post.pk in model_posts, reason
    elif reason == "your post":
        assert post.author_id == viewer.pk, reason
    elif reason == "popular this week":
        assert post.like_count > 0 and post.created_at >= now - timedelta(days=7), reason
    elif match := re.fullmatch(r"about #(\S+), one of your interests", reason):
        assert match[1] in tags and match[1] in viewer.interests, reason
    else:
        raise AssertionError(f"unexpected reason {reason!r}")
