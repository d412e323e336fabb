"""Counts stay exact under real concurrency on PostgreSQL.

Each request is a real thread with its own database connection (Django keeps one per
thread), all released at the same moment by a barrier, against committed data
(`transactional_db`), exactly as simultaneous requests to several web workers would be.
"""

import threading

import pytest
from django.db import connection, connections

from social import services
from social.models import Comment, Follow, Group, Like, Membership, Notification, Post, Share
from tests.social.helpers import (
    fast_password_hashing,  # noqa: F401
    group_of,
    person,
    post_by,
)

# At most 50 threads at once: each holds a connection, and PostgreSQL allows 100 by default.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]


def run_at_once(calls):
    """Run each call in its own thread, all starting together; return their results in
    order, re-raising the first error any of them hit.

    A call is `(load, act)`: like a view, each thread first loads its own copy of the row it
    acts on (before the barrier, so every request holds the row before any changes it), then
    all act at the same moment with `act(row)`.
    """
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def worker(index, call):
        load, act = call
        try:
            row = load()  # also opens this thread's connection, so the race is in the writes
            barrier.wait(timeout=30)
            results[index] = act(row)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request hung"
    if errors:
        raise errors[0]
    return results


def loader(row):
    return lambda: type(row).objects.get(pk=row.pk)


@pytest.fixture
def author(transactional_db):
    return person("author")


@pytest.fixture
def post(author):
    return post_by(author, "the post everyone reacts to")


@pytest.fixture
def crowd(transactional_db):
    return [person(f"fan{n}") for n in range(50)]


def counts(post) -> Post:
    return Post.objects.get(pk=post.pk)


# --- likes -----------------------------------------------------------------------------


def like(user, post):
    return (loader(post), lambda p: services.like_create(user=user, post=p))


def unlike(user, post):
    return (loader(post), lambda p: services.like_delete(user=user, post=p))


def test_fifty_people_liking_at_once_leave_fifty_likes(post, crowd):
    results = run_at_once([like(fan, post) for fan in crowd])
    assert results == [True] * 50
    assert Like.objects.filter(post=post).count() == 50
    assert counts(post).like_count == 50
    assert Notification.objects.filter(verb="like").count() == 50


def test_one_person_liking_twenty_times_at_once_leaves_one_like(post, crowd):
    results = run_at_once([like(crowd[0], post)] * 20)
    assert sorted(results) == [False] * 19 + [True]
    assert Like.objects.filter(post=post).count() == 1
    assert counts(post).like_count == 1
    assert Notification.objects.filter(verb="like").count() == 1


def test_people_unliking_twice_each_at_once_leave_no_likes(post, crowd):
    for fan in crowd[:25]:
        services.like_create(user=fan, post=post)
    results = run_at_once([unlike(fan, post) for fan in crowd[:25] * 2])
    assert results.count(True) == 25
    assert Like.objects.filter(post=post).count() == 0
    assert counts(post).like_count == 0


def test_liking_and_unliking_at_once_keeps_the_count_equal_to_the_likes(post, crowd):
    for fan in crowd[:12]:
        services.like_create(user=fan, post=post)
    calls = []
    for n, fan in enumerate(crowd[:25]):  # each likes and unlikes at once, in both orders
        calls += [like(fan, post), unlike(fan, post)][:: 1 if n % 2 else -1]
    run_at_once(calls)
    rows = Like.objects.filter(post=post).count()
    assert counts(post).like_count == rows >= 0


def test_one_person_liking_and_unliking_over_and_over_at_once(post, crowd):
    run_at_once([like(crowd[0], post), unlike(crowd[0], post)] * 10)
    rows = Like.objects.filter(post=post).count()
    assert rows in (0, 1)
    assert counts(post).like_count == rows


# --- shares ----------------------------------------------------------------------------


def share(user, post, comment=""):
    return (loader(post), lambda p: services.share_create(user=user, post=p, comment=comment))


def unshare(user, post):
    return (loader(post), lambda p: services.share_delete(user=user, post=p))


def test_fifty_people_sharing_at_once_leave_fifty_shares(post, crowd):
    results = run_at_once([share(fan, post) for fan in crowd])
    assert results == [True] * 50
    assert Share.objects.filter(post=post).count() == 50
    assert counts(post).share_count == 50


def test_one_person_sharing_twenty_times_at_once_leaves_one_share(post, crowd):
    results = run_at_once([share(crowd[0], post, comment="look!")] * 20)
    assert results.count(True) == 1
    assert Share.objects.filter(post=post).count() == 1
    assert counts(post).share_count == 1


def test_sharing_and_unsharing_at_once_keeps_the_count_equal_to_the_shares(post, crowd):
    run_at_once([call for fan in crowd[:25] for call in (share(fan, post), unshare(fan, post))])
    rows = Share.objects.filter(post=post).count()
    assert counts(post).share_count == rows >= 0


# --- follows ---------------------------------------------------------------------------


def follow(follower, followee):
    return (loader(followee), lambda f: services.follow_create(follower=follower, followee=f))


def unfollow(follower, followee):
    return (loader(followee), lambda f: services.follow_delete(follower=follower, followee=f))


def test_fifty_people_following_one_person_at_once(author, crowd):
    results = run_at_once([follow(fan, author) for fan in crowd])
    assert results == [True] * 50
    assert Follow.objects.filter(followee=author).count() == 50
    assert Notification.objects.filter(recipient=author, verb="follow").count() == 50


def test_one_person_following_twenty_times_at_once_leaves_one_follow(author, crowd):
    results = run_at_once([follow(crowd[0], author)] * 20)
    assert results.count(True) == 1
    assert Follow.objects.filter(followee=author).count() == 1
    assert Notification.objects.filter(recipient=author, verb="follow").count() == 1


def test_following_and_unfollowing_at_once_leaves_at_most_one_follow(author, crowd):
    run_at_once([follow(crowd[0], author), unfollow(crowd[0], author)] * 10)
    assert Follow.objects.filter(followee=author).count() in (0, 1)


# --- comments and groups ---------------------------------------------------------------


def test_deleting_one_comment_many_times_at_once_takes_it_off_the_count_once(post, crowd):
    services.comment_create(author=crowd[1], post=post, text="stays")
    doomed = services.comment_create(author=crowd[0], post=post, text="goes")
    delete = (loader(doomed), lambda c: services.comment_delete(user=crowd[0], comment=c))
    run_at_once([delete] * 10)
    assert Comment.objects.filter(post=post).count() == 1
    assert counts(post).comment_count == 1


def join(user, group):
    return (loader(group), lambda g: services.group_join(user=user, group=g))


def test_fifty_people_joining_a_group_at_once_are_all_counted(author, crowd):
    club = group_of(author)
    run_at_once([join(fan, club) for fan in crowd])
    assert Membership.objects.filter(group=club).count() == 51
    assert Group.objects.get(pk=club.pk).member_count == 51


def test_one_person_joining_twenty_times_at_once_is_counted_once(author, crowd):
    club = group_of(author)
    run_at_once([join(crowd[0], club)] * 20)
    assert Group.objects.get(pk=club.pk).member_count == 2
