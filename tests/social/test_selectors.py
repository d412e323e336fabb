"""The social reads: who sees what, in which order. Every list of posts is checked against
the rules that must hold everywhere (private groups, hidden posts, suspended accounts, blocks)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from flywheel.errors import NotFound
from social import search, selectors, services
from social.models import Comment, Post, Share
from tests.social.helpers import (
    add_member,
    fast_password_hashing,  # noqa: F401
    group_of,
    ids,
    person,
    post_by,
)

pytestmark = pytest.mark.django_db

# Every selector that lists posts, as (viewer, post) -> the posts that viewer is shown.
# The post under test is written so that each of them would show it to a viewer who follows
# its author and belongs to its group.
EVERY_POST_LIST = {
    "home_timeline": lambda viewer, post: selectors.home_timeline(viewer),
    "explore_posts": lambda viewer, post: selectors.explore_posts(viewer),
    "profile_posts": lambda viewer, post: selectors.profile_posts(viewer, post.author),
    "profile_activity": lambda viewer, post: selectors.profile_activity(viewer, post.author),
    "hashtag_posts": lambda viewer, post: selectors.hashtag_posts(viewer, "Zebras"),
    "group_posts": lambda viewer, post: selectors.group_posts(viewer, post.group),
    "search_posts (words)": lambda viewer, post: search.search_posts(viewer, "zebra"),
    "search_posts (hashtag)": lambda viewer, post: search.search_posts(viewer, "#zebras"),
    "search_all": lambda viewer, post: search.search_all(viewer, "zebra")["posts"],
}
ANONYMOUS_LISTS = [name for name in EVERY_POST_LIST if name != "home_timeline"]


def shows(name, viewer, post) -> bool:
    return post.pk in ids(EVERY_POST_LIST[name](viewer, post))


def zebra_post(author, group):
    return post_by(author, "A zebra crossed the road #zebras", group=group)


@pytest.fixture
def author(db):
    return person("author")


@pytest.fixture
def follower(author):
    """Follows the author and is in the author's public group."""
    someone = person("follower")
    services.follow_create(follower=someone, followee=author)
    return someone


@pytest.fixture
def public_post(author, follower):
    club = group_of(author, "Zebra watchers")
    services.group_join(user=follower, group=club)
    return zebra_post(author, club)


# --- the rules, in every selector ------------------------------------------------------


@pytest.mark.parametrize("selector", EVERY_POST_LIST)
def test_a_public_post_is_shown_by_every_list(selector, follower, public_post):
    assert shows(selector, follower, public_post)


@pytest.mark.parametrize("selector", EVERY_POST_LIST)
def test_a_hidden_post_disappears_from_every_list(selector, follower, public_post, staff_user):
    services.post_hide(staff=staff_user, post=public_post)
    assert not shows(selector, follower, public_post)


@pytest.mark.parametrize("selector", EVERY_POST_LIST)
def test_a_hidden_post_disappears_even_for_its_author(selector, author, public_post, staff_user):
    services.post_hide(staff=staff_user, post=public_post)
    assert not shows(selector, author, public_post)


@pytest.mark.parametrize("selector", EVERY_POST_LIST)
def test_a_suspended_authors_posts_disappear_from_every_list(
    selector, follower, public_post, author, staff_user
):
    services.account_suspend(staff=staff_user, person=author)
    assert not shows(selector, follower, public_post)


@pytest.mark.parametrize("selector", EVERY_POST_LIST)
def test_a_private_group_post_is_invisible_to_a_non_member_everywhere(selector, author, follower):
    secret = zebra_post(author, group_of(author, private=True))
    assert not shows(selector, follower, secret)


@pytest.mark.parametrize("selector", EVERY_POST_LIST)
def test_a_private_group_post_is_invisible_to_someone_still_asking_to_join(
    selector, author, follower
):
    club = group_of(author, private=True)
    services.group_join(user=follower, group=club)
    secret = zebra_post(author, club)
    assert not shows(selector, follower, secret)


@pytest.mark.parametrize("selector", ANONYMOUS_LISTS)
def test_a_private_group_post_is_invisible_to_anonymous_visitors(selector, author):
    secret = zebra_post(author, group_of(author, private=True))
    for anonymous in (None, AnonymousUser()):
        assert not shows(selector, anonymous, secret)


@pytest.mark.parametrize("selector", ANONYMOUS_LISTS)
def test_anonymous_visitors_see_public_posts(selector, public_post):
    assert shows(selector, AnonymousUser(), public_post)


@pytest.mark.parametrize(
    "selector", [n for n in EVERY_POST_LIST if n not in ("explore_posts", "search_all")]
)
def test_a_private_group_post_is_visible_to_members(selector, author, follower):
    club = group_of(author, private=True)
    add_member(club, follower)
    secret = zebra_post(author, club)
    assert shows(selector, follower, secret)


def test_explore_is_for_public_posts_only_even_for_members(author, follower):
    club = group_of(author, private=True)
    add_member(club, follower)
    secret = zebra_post(author, club)
    assert secret.pk not in ids(selectors.explore_posts(follower))


@pytest.mark.parametrize("selector", EVERY_POST_LIST)
def test_a_blocked_person_cannot_see_the_blockers_posts(selector, author, follower, public_post):
    services.block_create(blocker=author, blocked=follower)
    services.follow_create(follower=person(), followee=author)  # the post is still out there
    assert not shows(selector, follower, public_post)


@pytest.mark.parametrize("selector", ANONYMOUS_LISTS)
def test_the_blocker_no_longer_sees_the_blocked_persons_posts(selector, author, follower):
    club = group_of(author)
    services.group_join(user=follower, group=club)
    their_post = zebra_post(follower, club)
    services.block_create(blocker=author, blocked=follower)
    assert not shows(selector, author, their_post)


def test_a_single_post_follows_the_same_rules(author, follower, public_post, staff_user):
    assert selectors.post_visible_to(follower, public_post.pk) == public_post
    services.post_hide(staff=staff_user, post=public_post)
    with pytest.raises(NotFound):
        selectors.post_visible_to(follower, public_post.pk)


def test_a_private_group_post_is_not_found_by_id_from_outside(author, follower):
    secret = zebra_post(author, group_of(author, private=True))
    with pytest.raises(NotFound):
        selectors.post_visible_to(follower, secret.pk)
    with pytest.raises(NotFound):
        selectors.post_visible_to(None, secret.pk)


@pytest.mark.parametrize("bad_id", [999_999, "abc", None])
def test_an_unknown_post_id_is_not_found(follower, bad_id):
    with pytest.raises(NotFound):
        selectors.post_visible_to(follower, bad_id)


def test_posts_carry_whether_the_viewer_liked_and_shared_them(author, follower, public_post):
    services.like_create(user=follower, post=public_post)
    seen = selectors.post_visible_to(follower, public_post.pk)
    assert seen.viewer_liked is True and seen.viewer_shared is False
    assert selectors.post_visible_to(author, public_post.pk).viewer_liked is False


# --- home timeline ---------------------------------------------------------------------


def test_home_has_followees_own_and_group_posts_but_not_strangers(author, follower):
    club = group_of(person(), "Knitting")
    services.group_join(user=follower, group=club)
    group_member = person()
    services.group_join(user=group_member, group=club)
    followed = post_by(author, "from someone I follow")
    own = post_by(follower, "my own")
    in_my_group = post_by(group_member, "in my group", group=club)
    stranger = post_by(person(), "a stranger")
    home = ids(selectors.home_timeline(follower))
    assert home == [in_my_group.pk, own.pk, followed.pk]
    assert stranger.pk not in home


def test_home_shows_a_post_a_followee_shared_with_who_shared_it(author, follower):
    stranger_post = post_by(person(), "worth reading")
    services.share_create(user=author, post=stranger_post, comment="so true")
    [item] = selectors.home_timeline(follower)
    assert item == stranger_post
    assert item.shared_by_username == author.username
    assert item.shared_comment == "so true"


def test_a_share_puts_an_old_post_at_the_top_of_home_by_the_time_of_the_share(author, follower):
    old = post_by(person(), "old news")
    Post.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    newer = post_by(author, "fresh")
    assert ids(selectors.home_timeline(follower)) == [newer.pk]
    services.share_create(user=author, post=old)
    assert ids(selectors.home_timeline(follower)) == [old.pk, newer.pk]


def test_a_post_shared_twice_appears_once_at_the_latest_share(author, follower):
    second_followee = person()
    services.follow_create(follower=follower, followee=second_followee)
    old = post_by(person(), "old news")
    services.share_create(user=author, post=old)
    Share.objects.filter(user=author).update(created_at=timezone.now() - timedelta(hours=5))
    middle = post_by(author, "in between")
    Post.objects.filter(pk=middle.pk).update(created_at=timezone.now() - timedelta(hours=1))
    services.share_create(user=second_followee, post=old)
    home = list(selectors.home_timeline(follower))
    assert ids(home) == [old.pk, middle.pk]
    assert home[0].shared_by_username == second_followee.username


def test_shares_by_strangers_do_not_reach_home(follower):
    post = post_by(person())
    services.share_create(user=person(), post=post)
    assert list(selectors.home_timeline(follower)) == []


def test_a_share_by_a_suspended_followee_disappears_from_home(author, follower, staff_user):
    post = post_by(person(), "shared by someone later suspended")
    services.share_create(user=author, post=post)
    services.account_suspend(staff=staff_user, person=author)
    assert list(selectors.home_timeline(follower)) == []


def test_a_muted_followee_is_hidden_from_home_and_explore(author, follower):
    post = post_by(author, "loud")
    services.mute_create(muter=follower, muted=author)
    assert post.pk not in ids(selectors.home_timeline(follower))
    assert post.pk not in ids(selectors.explore_posts(follower))
    assert post.pk in ids(selectors.explore_posts(person()))  # only the muter is spared


def test_shares_by_a_muted_followee_are_hidden_from_home(author, follower):
    services.share_create(user=author, post=post_by(person()))
    services.mute_create(muter=follower, muted=author)
    assert list(selectors.home_timeline(follower)) == []


def test_a_muted_persons_post_shared_by_a_followee_stays_out_of_home(author, follower):
    loud = person()
    services.mute_create(muter=follower, muted=loud)
    services.share_create(user=author, post=post_by(loud))
    assert list(selectors.home_timeline(follower)) == []


def test_a_muted_person_is_still_on_their_profile(author, follower):
    post = post_by(author)
    services.mute_create(muter=follower, muted=author)
    assert ids(selectors.profile_posts(follower, author)) == [post.pk]


# --- explore, profile, hashtag, group --------------------------------------------------


def test_explore_lists_recent_public_posts_newest_first(author):
    first, second = post_by(author), post_by(person())
    assert ids(selectors.explore_posts(AnonymousUser())) == [second.pk, first.pk]


def test_profile_posts_are_the_authors_only(author, follower):
    mine = post_by(author)
    post_by(follower)
    assert ids(selectors.profile_posts(follower, author)) == [mine.pk]


def test_a_profile_lists_the_persons_shares_with_their_comment(author, follower):
    """Shares, with or without a comment, appear on the sharer's profile, at share time."""
    older, plain = post_by(follower), post_by(follower)
    mine = post_by(author)
    services.share_create(user=author, post=older, comment="Worth a read")
    services.share_create(user=author, post=plain)
    listed = list(selectors.profile_activity(follower, author))
    assert [p.pk for p in listed] == [plain.pk, older.pk, mine.pk]
    assert [p.shared_by_username for p in listed] == [author.username, author.username, None]
    assert listed[1].shared_comment == "Worth a read"
    # Someone else's shares are not this profile's.
    services.share_create(user=follower, post=mine)
    assert ids(selectors.profile_activity(follower, follower)) == [mine.pk, plain.pk, older.pk]


def test_hashtag_posts_match_regardless_of_case(author):
    post = post_by(author, "Listening to #JazzFunk")
    assert ids(selectors.hashtag_posts(None, "jazzfunk")) == [post.pk]
    assert selectors.hashtag_by_name("JAZZFUNK").name == "jazzfunk"


def test_an_unknown_hashtag_is_not_found():
    with pytest.raises(NotFound):
        selectors.hashtag_by_name("nothing")


def test_group_posts_are_that_groups_only(author, follower):
    club, other = group_of(author), group_of(author)
    inside = post_by(author, group=club)
    post_by(author, group=other)
    post_by(author)
    assert ids(selectors.group_posts(follower, club)) == [inside.pk]


def test_private_group_members_are_listed_only_to_members(author, follower):
    club = group_of(author, private=True)
    assert list(selectors.group_members(follower, club)) == []
    add_member(club, follower)
    assert {m.user for m in selectors.group_members(follower, club)} == {author, follower}


def test_the_group_list_says_where_the_viewer_stands(author, follower):
    public, private = group_of(author, "A public"), group_of(author, "B private", private=True)
    services.group_join(user=follower, group=public)
    services.group_join(user=follower, group=private)
    states = {g.slug: g.viewer_state for g in selectors.groups_list(follower)}
    assert states == {public.slug: "active", private.slug: "pending"}
    assert selectors.group_by_slug(None, private.slug) == private  # the name is public
    with pytest.raises(NotFound):
        selectors.group_by_slug(None, "no-such-group")


# --- people, blocks and profiles -------------------------------------------------------


def test_a_blocked_person_cannot_open_the_blockers_profile(author, follower):
    services.block_create(blocker=author, blocked=follower)
    with pytest.raises(NotFound):
        selectors.user_by_username(follower, author.username)
    assert selectors.user_by_username(author, follower.username) == follower  # to unblock


def test_a_suspended_persons_profile_is_not_found(author, follower, staff_user):
    services.account_suspend(staff=staff_user, person=author)
    with pytest.raises(NotFound):
        selectors.user_by_username(follower, author.username)


def test_profiles_are_found_whatever_the_case(author):
    assert selectors.user_by_username(None, "AUTHOR") == author


def test_a_blocked_person_does_not_see_the_blockers_comments(author, follower):
    post = post_by(person())
    services.comment_create(author=author, post=post, text="from the blocker")
    theirs = services.comment_create(author=follower, post=post, text="from the blocked")
    services.block_create(blocker=author, blocked=follower)
    assert list(selectors.comments_for(follower, post)) == [theirs]


def test_hidden_comments_and_suspended_commenters_disappear(author, follower, staff_user):
    post = post_by(author)
    rude = services.comment_create(author=follower, post=post, text="rude")
    kind = services.comment_create(author=author, post=post, text="kind")
    later_suspended = services.comment_create(author=person(), post=post, text="spam")
    services.comment_hide(staff=staff_user, comment=rude)
    services.account_suspend(staff=staff_user, person=later_suspended.author)
    assert list(selectors.comments_for(None, post)) == [kind]
    assert Comment.objects.count() == 3


def test_followers_and_following_lists(author, follower):
    third = person()
    services.follow_create(follower=third, followee=author)
    services.follow_create(follower=author, followee=third)
    assert list(selectors.followers_of(None, author)) == [third, follower]  # newest first
    following = selectors.following_of(follower, author)
    assert list(following) == [third]
    assert following[0].viewer_follows is False


def test_people_lists_leave_out_blocked_and_suspended_people(author, follower, staff_user):
    blocked, suspended = person(), person()
    for someone in (blocked, suspended):
        services.follow_create(follower=someone, followee=author)
    services.block_create(blocker=follower, blocked=blocked)
    services.account_suspend(staff=staff_user, person=suspended)
    assert list(selectors.followers_of(follower, author)) == [follower]


def test_relationship_and_profile_stats(author, follower):
    post_by(author)
    services.follow_create(follower=author, followee=follower)
    assert selectors.relationship(follower, author) == {
        "following": True,
        "followed_by": True,
        "blocking": False,
        "muting": False,
    }
    assert selectors.profile_stats(author, viewer=follower) == {
        "posts": 1,
        "followers": 1,
        "following": 1,
    }


def test_profile_stats_do_not_count_private_group_posts_for_outsiders(author, follower):
    group = services.group_create(owner=author, name="Inner circle", privacy="private")
    post_by(author)
    services.post_create(author=author, text="members only", group=group)
    assert selectors.profile_stats(author, viewer=author)["posts"] == 2
    assert selectors.profile_stats(author, viewer=follower)["posts"] == 1
    assert selectors.profile_stats(author, viewer=None)["posts"] == 1


# --- notifications ---------------------------------------------------------------------


def test_notifications_from_blocked_or_suspended_people_disappear(author, follower, staff_user):
    post = post_by(author)
    services.like_create(user=follower, post=post)
    later_suspended = person()
    services.follow_create(follower=later_suspended, followee=author)
    assert selectors.unread_notification_count(author) == 3  # follower's follow, like, follow
    services.block_create(blocker=author, blocked=follower)
    services.account_suspend(staff=staff_user, person=later_suspended)
    assert selectors.unread_notification_count(author) == 0


def test_a_notification_about_a_hidden_post_disappears(author, staff_user):
    post = post_by(person(), "hey @author")
    assert selectors.unread_notification_count(author) == 1
    services.post_hide(staff=staff_user, post=post)
    assert list(selectors.notifications_for(author)) == []
    assert selectors.unread_notification_count(author) == 0
