"""New posts reach the active model within a minute: vectors from implicit's own item step,
a side file web processes pick up, and candidates that include them without a retrain."""

from datetime import timedelta

import numpy as np
import pytest
import scipy.sparse as sp
from django.utils import timezone
from implicit.cpu.als import AlternatingLeastSquares

from events.models import Event, EventKind
from feeds import candidates, fresh_posts
from feeds.artifacts import fresh_items_stamp, load_factor_model, load_fresh_items
from feeds.serving import current_model, forget_loaded_models
from social.models import Post
from tests.feeds.test_training import make_taste_world, store_likes, train_now


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MODEL_ROOT = tmp_path / "models"
    settings.FEED_ALS_FACTORS = 16
    settings.FEED_FRESH_CHECK_SECONDS = 0
    forget_loaded_models()
    yield make_taste_world(groups=3, people=40, posts=20, likes=8)
    forget_loaded_models()


@pytest.fixture
def version(world):
    trained = train_now()
    assert trained.state == "active", trained.reason
    return trained


def new_post(world, group: int, text: str = "new") -> Post:
    author = Post.objects.get(pk=world.posts[group][0]).author
    return Post.objects.create(author=author, text=f"{text} for group {group}")


def liked_by(post: Post, people: list[int]) -> None:
    store_likes([(person, post.pk) for person in people], start=timezone.now())


def test_a_new_post_liked_by_known_people_gets_the_vector_implicit_would_give_it(world, version):
    post = new_post(world, 0)
    likers = world.people[0][:6]
    liked_by(post, likers)

    assert fresh_posts.fold_in_fresh_posts() == 1

    model = load_factor_model(version.artifact_path)
    fresh = load_fresh_items(version.artifact_path)
    assert fresh.post_ids.tolist() == [post.pk]
    assert fresh.max_event_id == Event.objects.latest("id").pk
    # implicit's partial_fit_items on a copy of the version, the same likes
    als = AlternatingLeastSquares(factors=16, regularization=0.05, alpha=1.0)
    als.user_factors = np.array(model.user_factors)
    als.item_factors = np.array(model.item_factors)
    rows = model.user_rows(np.array(sorted(likers)))
    item_users = sp.csr_matrix(
        (np.full(len(rows), 4.0, np.float32), (np.zeros(len(rows), int), rows)),
        shape=(1, len(model.user_ids)),
    )
    new_column = len(model.post_ids)
    als.partial_fit_items([new_column], item_users)
    np.testing.assert_allclose(fresh.item_factors[0], als.item_factors[new_column], rtol=1e-4)


def test_the_new_post_is_recommended_to_its_taste_before_any_retrain(world, version):
    post = new_post(world, 1)
    liked_by(post, world.people[1][:8])
    someone = world.people[1][15]  # of the same taste, has not seen it
    outsider = world.people[0][15]
    before = candidates.for_person(current_model(), someone)  # stored, without the post
    assert post.pk not in [p for p, _ in before.pairs]

    fresh_posts.fold_in_fresh_posts()

    served = current_model()  # the same process, the same version: the side file is picked up
    assert served.version_id == version.pk
    mine = [p for p, _ in candidates.for_person(served, someone).pairs]
    assert post.pk in mine[:10]
    theirs = [p for p, _ in candidates.for_person(served, outsider).pairs]
    assert post.pk not in theirs[:10]
    for liker in world.people[1][:8]:  # those who liked it are not offered it again
        assert post.pk not in [p for p, _ in candidates.for_person(served, liker).pairs]


def test_nothing_new_leaves_the_file_alone_and_a_retrain_starts_without_one(
    world, version, settings
):
    post = new_post(world, 2)
    liked_by(post, world.people[2][:5])
    fresh_posts.fold_in_fresh_posts()
    stamp = fresh_items_stamp(version.artifact_path)

    assert fresh_posts.fold_in_fresh_posts() == 1
    assert fresh_items_stamp(version.artifact_path) == stamp  # not rewritten

    Event.objects.filter(post_id=post.pk).update(created_at=timezone.now() - timedelta(days=1))
    settings.FEED_GATE_ENABLED = False
    retrained = train_now()
    assert load_fresh_items(retrained.artifact_path) is None
    assert post.pk in load_factor_model(retrained.artifact_path).post_ids


def test_hidden_posts_unliked_posts_and_strangers_likes_give_no_vector(world, version):
    from accounts.models import User

    hidden = new_post(world, 0, "hidden")
    hidden.is_hidden = True
    hidden.save()
    liked_by(hidden, world.people[0][:5])
    regretted = new_post(world, 0, "regretted")
    liked_by(regretted, world.people[0][:1])
    Event.objects.create(
        kind=EventKind.UNLIKE,
        user_id=world.people[0][0],
        post_id=regretted.pk,
        created_at=timezone.now(),
    )
    stranger = User.objects.create(username="stranger")  # the version does not know them
    unknown = new_post(world, 0, "unknown")
    liked_by(unknown, [stranger.pk])

    assert fresh_posts.fold_in_fresh_posts() == 0
    assert load_fresh_items(version.artifact_path).post_ids.tolist() == []


def test_without_an_active_version_there_is_nothing_to_do(db):
    assert fresh_posts.fold_in_fresh_posts() == 0


def test_it_runs_every_30_seconds_on_a_schedule_staff_can_edit(db):
    from django_celery_beat.models import PeriodicTask

    schedule = PeriodicTask.objects.get(task="feeds.fold_in_fresh_posts")
    assert schedule.enabled and schedule.interval.every == 30
    assert schedule.interval.period == "seconds"
