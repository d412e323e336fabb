"""The home timeline's prepared statement (social.home_rows) lists what its ORM form
(`social.selectors.home_timeline`) lists, in the same order, page after page, with the same
share, activity time and whether the author is followed, on a world with every rule the home
has: follows, the viewer's own posts, groups public and private, shares by followees (the
latest one wins, muted and suspended sharers do not count), mutes, blocks both ways, hidden
posts, suspended authors, and extra ids (a newcomer's warm sources)."""

from datetime import timedelta

import pytest
from django.db.models import Exists, OuterRef
from django.utils import timezone

from social.home_rows import home_page_rows
from social.models import Block, Follow, Group, Mute, Post, Share
from social.selectors import home_timeline
from tests.factories import UserFactory
from tests.social.factories import GroupFactory, MembershipFactory, PostFactory

pytestmark = pytest.mark.django_db


def aged(post, hours):
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - timedelta(hours=hours))
    return post


def world():
    viewer = UserFactory(username="viewer")
    followed, sharer, muted_sharer, blocked, blocker, stranger, suspended = (
        UserFactory(username=name)
        for name in ("followed", "sharer", "mutedsharer", "blocked", "blocker", "stranger", "gone")
    )
    for person in (followed, sharer, muted_sharer, blocked, blocker, suspended):
        Follow.objects.create(follower=viewer, followee=person)
    Mute.objects.create(muter=viewer, muted=muted_sharer)
    Block.objects.create(blocker=viewer, blocked=blocked)
    Block.objects.create(blocker=blocker, blocked=viewer)
    public = GroupFactory(privacy=Group.Privacy.PUBLIC)
    private = GroupFactory(privacy=Group.Privacy.PRIVATE)
    MembershipFactory(group=public, user=viewer)
    hours = iter(range(1, 200))
    for _ in range(4):
        aged(PostFactory(author=followed), next(hours))
        aged(PostFactory(author=viewer), next(hours))
        aged(PostFactory(author=stranger, group=public), next(hours))
        aged(PostFactory(author=stranger, group=private), next(hours))
        aged(PostFactory(author=blocked), next(hours))
        aged(PostFactory(author=blocker), next(hours))
        aged(PostFactory(author=suspended), next(hours))
        aged(PostFactory(author=muted_sharer), next(hours))
    aged(PostFactory(author=followed, is_hidden=True), next(hours))
    old = [aged(PostFactory(author=stranger), 300 + n) for n in range(6)]
    Share.objects.create(user=sharer, post=old[0], comment="first")
    twice = Share.objects.create(user=followed, post=old[1], comment="")
    Share.objects.filter(pk=twice.pk).update(created_at=timezone.now() - timedelta(hours=50))
    Share.objects.create(user=sharer, post=old[1], comment="latest")
    Share.objects.create(user=muted_sharer, post=old[2], comment="muted")
    Share.objects.create(user=suspended, post=old[3], comment="suspended")
    suspended.is_active = False
    suspended.save()
    extra = [old[4].pk, PostFactory(author=stranger, group=private).pk]
    return viewer, extra


def orm_pages(viewer, also_ids, size):
    also = [Post.objects.order_by().filter(pk__in=also_ids).values("id")]
    rows = list(
        home_timeline(viewer, also=also).annotate(
            author_followed=Exists(
                Follow.objects.filter(follower=viewer, followee_id=OuterRef("author_id"))
            )
        )
    )
    listed = [
        (
            post.pk,
            post.activity_at,
            post.shared_at,
            post.shared_by_username,
            post.shared_comment,
            post.author_followed,
        )
        for post in rows
    ]
    return [listed[start : start + size] for start in range(0, len(listed), size)]


def statement_pages(viewer, also_ids, size):
    pages, after = [], None
    while True:
        rows = home_page_rows(viewer, also=also_ids, after=after, limit=size)
        if not rows:
            return pages
        pages.append(
            [
                (
                    row.id,
                    row.activity_at,
                    row.shared_at,
                    row.shared_by_username,
                    row.shared_comment,
                    row.author_followed,
                )
                for row in rows
            ]
        )
        after = (rows[-1].activity_at, rows[-1].id)


def test_the_statement_pages_the_home_exactly_as_the_orm_lists_it():
    viewer, extra = world()
    expected = orm_pages(viewer, extra, 4)
    assert statement_pages(viewer, extra, 4) == expected
    listed = [row for page in expected for row in page]
    shares = {row[0]: (row[3], row[4]) for row in listed if row[3]}
    assert sorted(shares.values()) == [("sharer", "first"), ("sharer", "latest")]
    assert extra[0] in {row[0] for row in listed}  # an extra id, visible
    assert extra[1] not in {row[0] for row in listed}  # an extra id in a private group
    assert len(listed) == 4 * 3 + 2 + 1


def test_without_sources_the_home_is_empty():
    viewer = UserFactory()
    PostFactory()
    assert home_page_rows(viewer, limit=20) == []
