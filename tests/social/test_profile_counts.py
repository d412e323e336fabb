"""A profile's counts and the viewer's relationship, which a profile, the home page and every
follow, block and mute answer with: one prepared statement each, giving what the rules say."""

import pytest
from django.contrib.auth.models import AnonymousUser

from social import selectors
from social.models import Block, Follow, Mute, Post
from tests.factories import UserFactory
from tests.social.factories import GroupFactory, MembershipFactory, PostFactory

pytestmark = pytest.mark.django_db


def test_counts_hide_what_the_viewer_may_not_see_and_suspended_people():
    ana, ben, cy, dee = (UserFactory(username=name) for name in ("ana", "ben", "cy", "dee"))
    club = GroupFactory(owner=ana, privacy="private")
    MembershipFactory(user=cy, group=club)
    PostFactory(author=ana)
    PostFactory(author=ana, group=club)  # seen only by the club's members
    Post.objects.filter(pk=PostFactory(author=ana).pk).update(is_hidden=True)
    Follow.objects.create(follower=ben, followee=ana)
    Follow.objects.create(follower=cy, followee=ana)
    Follow.objects.create(follower=dee, followee=ana)
    Follow.objects.create(follower=ana, followee=ben)
    dee.is_active = False  # a suspended follower is not counted
    dee.save(update_fields=["is_active"])
    assert selectors.profile_stats(ana, viewer=ben) == {"posts": 1, "followers": 2, "following": 1}
    assert selectors.profile_stats(ana, viewer=cy)["posts"] == 2
    anonymous = selectors.profile_stats(ana, viewer=AnonymousUser())
    assert anonymous == {"posts": 1, "followers": 2, "following": 1}
    Block.objects.create(blocker=ana, blocked=ben)
    assert selectors.profile_stats(ana, viewer=ben)["posts"] == 0  # blocked: nothing shown


def test_the_relationship_reads_each_direction():
    ana, ben = UserFactory(username="ana"), UserFactory(username="ben")
    nothing = {"following": False, "followed_by": False, "blocking": False, "muting": False}
    assert selectors.relationship(ana, ben) == nothing
    Follow.objects.create(follower=ana, followee=ben)
    assert selectors.relationship(ana, ben) == {**nothing, "following": True}
    assert selectors.relationship(ben, ana) == {**nothing, "followed_by": True}
    Block.objects.create(blocker=ana, blocked=ben)
    Mute.objects.create(muter=ana, muted=ben)
    assert selectors.relationship(ana, ben) == {
        "following": True, "followed_by": False, "blocking": True, "muting": True
    }  # fmt: skip
    assert selectors.relationship(ben, ana) == {**nothing, "followed_by": True}
    assert selectors.relationship(ana, ana) == nothing
