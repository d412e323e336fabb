"""The posts the recommender may train on, kept current from a saved state and what changed
(feeds.trainable_posts), equal to reading them whole after every kind of change.

Transactional: the state's watermark follows the database's clock, which stands still inside
one test transaction."""

from datetime import timedelta

import numpy as np
import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from feeds import trainable_posts
from feeds.matrix import TRAINABLE_POSTS_SQL, copy_ids
from feeds.models import PostTombstone
from social.models import Post

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def model_root(tmp_path, settings):
    settings.MODEL_ROOT = tmp_path
    settings.FEED_MATRIX_SETTLE_SECONDS = 0


def read_whole() -> np.ndarray:
    return np.sort(copy_ids(TRAINABLE_POSTS_SQL))


def assert_current():
    np.testing.assert_array_equal(trainable_posts.trainable_posts(), read_whole())


def make_world():
    author = User.objects.create(username="author")
    other = User.objects.create(username="other")
    posts = [Post.objects.create(author=author, text=f"post {i}") for i in range(6)]
    posts += [Post.objects.create(author=other, text=f"other's {i}") for i in range(3)]
    return author, other, posts


def test_kept_current_through_every_kind_of_change():
    author, other, posts = make_world()
    assert_current()  # the first run reads the posts whole and saves them
    saved = trainable_posts.load_saved()
    assert saved.watermark == posts[-1].pk
    np.testing.assert_array_equal(saved.ids, [p.pk for p in posts])

    Post.objects.create(author=author, text="new")
    assert_current()
    posts[0].delete()
    assert_current()
    Post.objects.filter(pk=posts[1].pk).update(is_hidden=True)
    assert_current()
    User.objects.filter(pk=other.pk).update(is_active=False)  # suspended: their posts out
    assert trainable_posts.trainable_posts().tolist() == read_whole().tolist()
    assert posts[-1].pk not in trainable_posts.trainable_posts()
    Post.objects.filter(pk=posts[1].pk).update(is_hidden=False)
    User.objects.filter(pk=other.pk).update(is_active=True)  # reinstated: back in
    assert_current()
    assert posts[-1].pk in trainable_posts.trainable_posts()
    User.objects.filter(pk=other.pk).delete()  # their posts go with them
    assert_current()
    assert set(posts_left := trainable_posts.trainable_posts()) == set(read_whole())
    assert not {p.pk for p in posts[-3:]} & set(posts_left.tolist())


def delete_behind_the_triggers_back(post_id):
    """As no delete does: only a state that is read, not the table, still holds the post."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE social_post DISABLE TRIGGER feeds_post_tombstone")
        try:
            cursor.execute("DELETE FROM social_post WHERE id = %s", [post_id])
        finally:
            cursor.execute("ALTER TABLE social_post ENABLE TRIGGER feeds_post_tombstone")


def test_the_saved_state_is_used_not_a_whole_read():
    _, _, posts = make_world()
    trainable_posts.trainable_posts()
    delete_behind_the_triggers_back(posts[2].pk)
    assert posts[2].pk in trainable_posts.trainable_posts()


def test_every_delete_leaves_a_tombstone_cascades_included():
    _, other, posts = make_world()
    ids = [p.pk for p in posts]
    posts[0].delete()
    Post.objects.filter(pk__in=ids[1:3]).delete()
    other.delete()
    gone = set(PostTombstone.objects.values_list("post_id", flat=True))
    assert gone == {*ids[:3], *ids[-3:]}


def test_posts_not_yet_settled_are_read_again(settings):
    _, _, posts = make_world()
    settings.FEED_MATRIX_SETTLE_SECONDS = 3600
    Post.objects.filter(pk__lte=posts[3].pk).update(created_at=timezone.now() - timedelta(hours=2))
    assert_current()  # the recent posts are in the answer...
    assert trainable_posts.load_saved().watermark == posts[3].pk  # ...and read again next time
    posts[5].delete()
    assert_current()


def test_a_state_from_another_post_table_is_dropped():
    author, _, _ = make_world()
    trainable_posts.trainable_posts()
    with connection.cursor() as cursor:  # emptied, as a reset does: no delete trigger
        cursor.execute("TRUNCATE social_post CASCADE")
    fresh = Post.objects.create(author=author, text="a new world")
    assert trainable_posts.trainable_posts().tolist() == [fresh.pk]


def test_the_posts_are_read_whole_once_a_day():
    _, _, posts = make_world()
    trainable_posts.trainable_posts()
    saved = trainable_posts.load_saved()
    delete_behind_the_triggers_back(posts[2].pk)
    saved.whole_at -= trainable_posts.WHOLE_READ_HOURS * 3600 + 60
    trainable_posts.save(saved)
    assert_current()
    assert posts[2].pk not in trainable_posts.trainable_posts()
    assert trainable_posts.load_saved().whole_at > saved.whole_at


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 cut short", b"not a file of arrays"])
def test_a_damaged_state_file_means_a_whole_read(content):
    _, _, posts = make_world()
    trainable_posts.trainable_posts()
    delete_behind_the_triggers_back(posts[2].pk)
    trainable_posts._path().write_bytes(content)
    assert_current()


def test_old_tombstones_are_pruned():
    _, _, posts = make_world()
    old, recent = posts[0].pk, posts[1].pk
    Post.objects.filter(pk__in=[old, recent]).delete()
    PostTombstone.objects.filter(post_id=old).update(
        deleted_at=timezone.now() - timedelta(days=trainable_posts.TOMBSTONE_DAYS + 2)
    )
    assert trainable_posts.prune_tombstones() == 1
    assert list(PostTombstone.objects.values_list("post_id", flat=True)) == [recent]
