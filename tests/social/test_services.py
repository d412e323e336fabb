"""The social writes, one behaviour per test, checked the way a person using the site would."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from flywheel.errors import NotFound
from social import selectors, services
from social.models import (
    Block,
    Comment,
    Follow,
    Group,
    Like,
    Membership,
    Notification,
    Post,
    Report,
    Share,
)
from tests.social.helpers import (
    add_member,
    fast_password_hashing,  # noqa: F401
    group_of,
    image_upload,
    person,
    post_by,
)

pytestmark = pytest.mark.django_db

Verb = Notification.Verb


def notifications(user, verb=None):
    found = Notification.objects.filter(recipient=user)
    return list(found.filter(verb=verb) if verb else found)


def refreshed(post: Post) -> Post:
    return Post.objects.get(pk=post.pk)


# --- posting ---------------------------------------------------------------------------


def test_a_post_keeps_its_text_without_surrounding_blanks(user):
    post = services.post_create(author=user, text="  Hello, Flywheel!  \n")
    assert refreshed(post).text == "Hello, Flywheel!"
    assert post.author == user


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_an_empty_post_is_refused_with_a_readable_message(user, text):
    with pytest.raises(ValidationError) as error:
        services.post_create(author=user, text=text)
    assert "empty" in str(error.value)
    assert not Post.objects.exists()


def test_a_post_of_exactly_500_characters_is_accepted(user):
    assert len(services.post_create(author=user, text="a" * 500).text) == 500


def test_a_post_over_500_characters_is_refused_and_says_how_long_it_is(user):
    with pytest.raises(ValidationError) as error:
        services.post_create(author=user, text="a" * 501)
    assert "501" in str(error.value) and "500" in str(error.value)
    assert not Post.objects.exists()


def test_text_that_is_not_a_string_is_refused(user):
    with pytest.raises(ValidationError):
        services.post_create(author=user, text=["not", "text"])


def test_hashtags_are_linked_once_each_in_lower_case(user):
    post = services.post_create(author=user, text="Tonight: #Jazz and #jazz and #Blues, #2024")
    assert sorted(post.hashtags.values_list("name", flat=True)) == ["blues", "jazz"]


def test_mentions_link_existing_active_people_only(user, other_user):
    person("gone", is_active=False)
    post = services.post_create(author=user, text="hi @BEN and @gone and @nobody_here")
    assert list(post.mentions.all()) == [other_user]


def test_a_mention_notifies_the_mentioned_person(user, other_user):
    post = services.post_create(author=user, text="thanks @ben!")
    [note] = notifications(other_user, Verb.MENTION)
    assert note.actor == user and note.post == post


def test_mentioning_oneself_notifies_nobody(user):
    services.post_create(author=user, text="note to self @ana")
    assert notifications(user) == []


def test_editing_a_post_does_not_notify_an_already_mentioned_person_again(user, other_user):
    post = services.post_create(author=user, text="hi @ben")
    services.post_update(user=user, post=post, text="hi again @ben")
    assert len(notifications(other_user, Verb.MENTION)) == 1


def test_a_mention_added_by_an_edit_notifies_the_newly_mentioned_person(user, other_user):
    post = services.post_create(author=user, text="hi everyone")
    services.post_update(user=user, post=post, text="hi everyone, and @ben")
    assert len(notifications(other_user, Verb.MENTION)) == 1


def test_a_mention_in_a_private_group_does_not_reach_someone_outside_it(user, other_user):
    club = group_of(user, private=True)
    services.post_create(author=user, text="secret plans, @ben", group=club)
    assert notifications(other_user) == []


def test_a_mention_in_a_private_group_notifies_a_member(user, other_user):
    club = group_of(user, private=True)
    add_member(club, other_user)
    services.post_create(author=user, text="welcome @ben", group=club)
    assert len(notifications(other_user, Verb.MENTION)) == 1


def test_a_mention_between_blocked_people_notifies_nobody(user, other_user):
    services.block_create(blocker=other_user, blocked=user)
    services.post_create(author=user, text="hey @ben")
    assert notifications(other_user) == []


def test_a_post_with_a_real_image_keeps_it(user):
    post = services.post_create(author=user, text="look", image=image_upload())
    name = refreshed(post).image.name
    assert name.startswith("posts/") and name.endswith(".png")  # a name the server chose
    assert "photo" not in name


def test_a_text_file_named_like_an_image_is_refused(user):
    fake = SimpleUploadedFile("photo.png", b"this is not a picture", content_type="image/png")
    with pytest.raises(ValidationError) as error:
        services.post_create(author=user, text="look", image=fake)
    assert "not an image we can read" in str(error.value)
    assert not Post.objects.exists()


def test_an_image_over_the_size_limit_is_refused(user, settings):
    settings.MAX_IMAGE_BYTES = 100
    with pytest.raises(ValidationError) as error:
        services.post_create(author=user, text="look", image=image_upload(size=(64, 64)))
    assert "limit" in str(error.value)
    assert not Post.objects.exists()


def test_an_image_of_an_unsupported_type_is_refused(user):
    with pytest.raises(ValidationError) as error:
        services.post_create(author=user, text="look", image=image_upload(image_format="BMP"))
    assert "not supported" in str(error.value)


def test_posting_in_a_group_needs_membership(user, other_user):
    club = group_of(user)
    with pytest.raises(PermissionDenied):
        services.post_create(author=other_user, text="hello", group=club)


def test_a_pending_member_cannot_post_in_a_private_group(user, other_user):
    club = group_of(user, private=True)
    services.group_join(user=other_user, group=club)
    with pytest.raises(PermissionDenied):
        services.post_create(author=other_user, text="hello", group=club)


def test_a_member_posts_in_the_group(user, other_user):
    club = group_of(user)
    services.group_join(user=other_user, group=club)
    post = services.post_create(author=other_user, text="hello", group=club)
    assert post.group == club


# --- editing and deleting --------------------------------------------------------------


def test_the_author_can_edit_within_the_window_and_the_post_says_edited(user):
    post = services.post_create(author=user, text="first #draft")
    services.post_update(user=user, post=post, text="second #final")
    post = refreshed(post)
    assert post.text == "second #final"
    assert post.edited_at is not None
    assert list(post.hashtags.values_list("name", flat=True)) == ["final"]


def test_editing_after_the_window_is_refused(user):
    post = services.post_create(author=user, text="first")
    Post.objects.filter(pk=post.pk).update(
        created_at=timezone.now() - services.EDIT_WINDOW - timedelta(seconds=1)
    )
    with pytest.raises(ValidationError) as error:
        services.post_update(user=user, post=refreshed(post), text="second")
    assert "15 minutes" in str(error.value)
    assert refreshed(post).text == "first"


def test_nobody_but_the_author_can_edit(user, other_user, staff_user):
    post = services.post_create(author=user, text="mine")
    for intruder in (other_user, staff_user):
        with pytest.raises(PermissionDenied):
            services.post_update(user=intruder, post=post, text="yours")
    assert refreshed(post).text == "mine"


def test_an_edit_is_validated_like_a_new_post(user):
    post = services.post_create(author=user, text="mine")
    with pytest.raises(ValidationError):
        services.post_update(user=user, post=post, text=" ")


def test_the_author_can_delete_their_post(user):
    post = services.post_create(author=user, text="oops")
    services.post_delete(user=user, post=post)
    assert not Post.objects.filter(pk=post.pk).exists()


def test_staff_can_delete_anyones_post(user, staff_user):
    post = services.post_create(author=user, text="against the rules")
    services.post_delete(user=staff_user, post=post)
    assert not Post.objects.filter(pk=post.pk).exists()


def test_another_person_cannot_delete_a_post(user, other_user):
    post = services.post_create(author=user, text="mine")
    with pytest.raises(PermissionDenied):
        services.post_delete(user=other_user, post=post)
    assert Post.objects.filter(pk=post.pk).exists()


# --- likes -----------------------------------------------------------------------------


def test_a_like_counts_once_and_notifies_the_author(user, other_user):
    post = post_by(user)
    assert services.like_create(user=other_user, post=post) is True
    assert refreshed(post).like_count == 1
    [note] = notifications(user, Verb.LIKE)
    assert note.actor == other_user and note.post == post


def test_liking_twice_changes_nothing(user, other_user):
    post = post_by(user)
    services.like_create(user=other_user, post=post)
    assert services.like_create(user=other_user, post=post) is False
    assert refreshed(post).like_count == 1
    assert Like.objects.count() == 1
    assert len(notifications(user, Verb.LIKE)) == 1


def test_unlike_takes_the_like_back(user, other_user):
    post = post_by(user)
    services.like_create(user=other_user, post=post)
    assert services.like_delete(user=other_user, post=post) is True
    assert refreshed(post).like_count == 0
    assert not Like.objects.exists()


def test_unliking_a_post_not_liked_leaves_the_count_alone(user, other_user):
    post = post_by(user)
    services.like_create(user=user, post=post)
    assert services.like_delete(user=other_user, post=post) is False
    assert refreshed(post).like_count == 1


def test_liking_ones_own_post_counts_but_notifies_nobody(user):
    post = post_by(user)
    services.like_create(user=user, post=post)
    assert refreshed(post).like_count == 1
    assert notifications(user) == []


def test_a_hidden_post_cannot_be_liked(user, other_user, staff_user):
    post = post_by(user)
    services.post_hide(staff=staff_user, post=post)
    with pytest.raises(NotFound):
        services.like_create(user=other_user, post=post)
    assert refreshed(post).like_count == 0


def test_a_deleted_post_cannot_be_liked(user, other_user):
    post = post_by(user)
    Post.objects.filter(pk=post.pk).delete()
    with pytest.raises(NotFound):
        services.like_create(user=other_user, post=post)
    assert not Like.objects.exists()


def test_a_private_group_post_cannot_be_liked_from_outside(user, other_user):
    club = group_of(user, private=True)
    post = post_by(user, group=club)
    with pytest.raises(NotFound):
        services.like_create(user=other_user, post=post)


# --- shares ----------------------------------------------------------------------------


def test_a_share_keeps_its_comment_counts_and_notifies(user, other_user):
    post = post_by(user)
    assert services.share_create(user=other_user, post=post, comment="  read this  ") is True
    assert Share.objects.get().comment == "read this"
    assert refreshed(post).share_count == 1
    assert len(notifications(user, Verb.SHARE)) == 1


def test_a_share_without_a_comment_is_fine(user, other_user):
    post = post_by(user)
    services.share_create(user=other_user, post=post)
    assert Share.objects.get().comment == ""


def test_sharing_twice_changes_nothing(user, other_user):
    post = post_by(user)
    services.share_create(user=other_user, post=post)
    assert services.share_create(user=other_user, post=post, comment="again") is False
    assert refreshed(post).share_count == 1


def test_a_share_comment_over_280_characters_is_refused(user, other_user):
    post = post_by(user)
    with pytest.raises(ValidationError):
        services.share_create(user=other_user, post=post, comment="x" * 281)
    assert refreshed(post).share_count == 0


def test_a_private_group_post_cannot_be_shared_even_by_a_member(user, other_user):
    club = group_of(user, private=True)
    add_member(club, other_user)
    post = post_by(user, group=club)
    with pytest.raises(PermissionDenied):
        services.share_create(user=other_user, post=post)
    assert not Share.objects.exists()


def test_a_public_group_post_can_be_shared(user, other_user):
    post = post_by(user, group=group_of(user))
    assert services.share_create(user=other_user, post=post) is True


def test_undoing_a_share_takes_it_back(user, other_user):
    post = post_by(user)
    services.share_create(user=other_user, post=post)
    assert services.share_delete(user=other_user, post=post) is True
    assert services.share_delete(user=other_user, post=post) is False
    assert refreshed(post).share_count == 0


def test_sharing_ones_own_post_notifies_nobody(user):
    services.share_create(user=user, post=post_by(user))
    assert notifications(user) == []


# --- comments --------------------------------------------------------------------------


def test_a_comment_has_its_author_counts_and_notifies_the_post_author(user, other_user):
    post = post_by(user)
    comment = services.comment_create(author=other_user, post=post, text=" nice one ")
    assert comment.author == other_user and comment.text == "nice one"
    assert refreshed(post).comment_count == 1
    [note] = notifications(user, Verb.COMMENT)
    assert note.comment == comment and note.post == post


def test_commenting_on_ones_own_post_notifies_nobody(user):
    services.comment_create(author=user, post=post_by(user), text="and another thing")
    assert notifications(user) == []


def test_an_empty_comment_is_refused(user, other_user):
    post = post_by(user)
    with pytest.raises(ValidationError):
        services.comment_create(author=other_user, post=post, text="  ")
    assert refreshed(post).comment_count == 0


def test_a_comment_over_500_characters_is_refused(user, other_user):
    with pytest.raises(ValidationError):
        services.comment_create(author=other_user, post=post_by(user), text="c" * 501)


@pytest.mark.parametrize("remover", ["comment author", "post author", "staff"])
def test_who_may_delete_a_comment(user, other_user, staff_user, remover):
    post = post_by(user)
    comment = services.comment_create(author=other_user, post=post, text="hm")
    who = {"comment author": other_user, "post author": user, "staff": staff_user}[remover]
    services.comment_delete(user=who, comment=comment)
    assert not Comment.objects.exists()
    assert refreshed(post).comment_count == 0


def test_a_third_person_cannot_delete_a_comment(user, other_user):
    post = post_by(user)
    comment = services.comment_create(author=other_user, post=post, text="hm")
    with pytest.raises(PermissionDenied):
        services.comment_delete(user=person(), comment=comment)
    assert Comment.objects.filter(pk=comment.pk).exists()
    assert refreshed(post).comment_count == 1


def test_deleting_a_comment_twice_takes_it_off_the_count_once(user, other_user):
    post = post_by(user)
    comment = services.comment_create(author=other_user, post=post, text="hm")
    services.comment_create(author=other_user, post=post, text="hm again")
    services.comment_delete(user=other_user, comment=comment)
    services.comment_delete(user=other_user, comment=comment)  # a second click, a stale page
    assert refreshed(post).comment_count == 1


def test_deleting_a_hidden_comment_does_not_take_it_off_the_count_again(
    user, other_user, staff_user
):
    post = post_by(user)
    comment = services.comment_create(author=other_user, post=post, text="rude")
    services.comment_hide(staff=staff_user, comment=comment)
    assert refreshed(post).comment_count == 0
    services.comment_delete(user=user, comment=comment)
    assert refreshed(post).comment_count == 0


# --- follows ---------------------------------------------------------------------------


def test_following_someone_notifies_them(user, other_user):
    assert services.follow_create(follower=user, followee=other_user) is True
    assert Follow.objects.filter(follower=user, followee=other_user).exists()
    [note] = notifications(other_user, Verb.FOLLOW)
    assert note.actor == user


def test_following_twice_changes_nothing(user, other_user):
    services.follow_create(follower=user, followee=other_user)
    assert services.follow_create(follower=user, followee=other_user) is False
    assert Follow.objects.count() == 1
    assert len(notifications(other_user, Verb.FOLLOW)) == 1


def test_nobody_can_follow_themselves(user):
    with pytest.raises(ValidationError):
        services.follow_create(follower=user, followee=user)


def test_unfollowing_ends_the_follow(user, other_user):
    services.follow_create(follower=user, followee=other_user)
    assert services.follow_delete(follower=user, followee=other_user) is True
    assert services.follow_delete(follower=user, followee=other_user) is False
    assert not Follow.objects.exists()


# --- blocks and mutes ------------------------------------------------------------------


def test_a_block_ends_follows_both_ways(user, other_user):
    services.follow_create(follower=user, followee=other_user)
    services.follow_create(follower=other_user, followee=user)
    assert services.block_create(blocker=user, blocked=other_user) is True
    assert not Follow.objects.exists()


def test_blocking_twice_changes_nothing(user, other_user):
    services.block_create(blocker=user, blocked=other_user)
    assert services.block_create(blocker=user, blocked=other_user) is False
    assert Block.objects.count() == 1


def test_nobody_can_block_themselves(user):
    with pytest.raises(ValidationError):
        services.block_create(blocker=user, blocked=user)


def test_a_blocked_person_cannot_follow_the_blocker(user, other_user):
    services.block_create(blocker=user, blocked=other_user)
    with pytest.raises(PermissionDenied):
        services.follow_create(follower=other_user, followee=user)


def test_the_blocker_cannot_follow_the_person_they_blocked(user, other_user):
    services.block_create(blocker=user, blocked=other_user)
    with pytest.raises(PermissionDenied):
        services.follow_create(follower=user, followee=other_user)


def test_a_blocked_person_cannot_like_the_blockers_post(user, other_user):
    post = post_by(user)
    services.block_create(blocker=user, blocked=other_user)
    with pytest.raises(PermissionDenied):
        services.like_create(user=other_user, post=post)
    assert refreshed(post).like_count == 0


def test_a_blocked_person_cannot_comment_on_the_blockers_post(user, other_user):
    post = post_by(user)
    services.block_create(blocker=user, blocked=other_user)
    with pytest.raises(PermissionDenied):
        services.comment_create(author=other_user, post=post, text="let me in")
    assert not Comment.objects.exists()


def test_a_blocked_person_cannot_share_the_blockers_post(user, other_user):
    post = post_by(user)
    services.block_create(blocker=user, blocked=other_user)
    with pytest.raises(PermissionDenied):
        services.share_create(user=other_user, post=post)


def test_after_unblocking_people_can_follow_again(user, other_user):
    services.block_create(blocker=user, blocked=other_user)
    assert services.block_delete(blocker=user, blocked=other_user) is True
    assert services.follow_create(follower=other_user, followee=user) is True


def test_muting_is_idempotent_and_reversible(user, other_user):
    assert services.mute_create(muter=user, muted=other_user) is True
    assert services.mute_create(muter=user, muted=other_user) is False
    assert selectors.relationship(user, other_user)["muting"] is True
    assert services.mute_delete(muter=user, muted=other_user) is True
    assert selectors.relationship(user, other_user)["muting"] is False


def test_nobody_can_mute_themselves(user):
    with pytest.raises(ValidationError):
        services.mute_create(muter=user, muted=user)


# --- groups ----------------------------------------------------------------------------


def test_a_new_group_has_its_owner_as_its_only_member(user):
    club = services.group_create(owner=user, name="Jazz Club", description="Bebop")
    assert club.slug == "jazz-club" and club.member_count == 1
    assert selectors.membership_of(user, club).role == Membership.Role.OWNER


def test_two_groups_with_the_same_name_get_different_addresses(user):
    first = services.group_create(owner=user, name="Jazz Club")
    second = services.group_create(owner=user, name="Jazz club")
    assert first.slug != second.slug


@pytest.mark.parametrize(
    "fields", [{"name": " "}, {"name": "x" * 81}, {"name": "ok", "privacy": "secret"}]
)
def test_a_group_needs_a_name_and_a_known_privacy(user, fields):
    with pytest.raises(ValidationError):
        services.group_create(owner=user, **fields)


def test_joining_a_public_group_is_immediate_and_counted(user, other_user):
    club = group_of(user)
    membership = services.group_join(user=other_user, group=club)
    assert membership.state == Membership.State.ACTIVE
    assert Group.objects.get(pk=club.pk).member_count == 2


def test_joining_twice_changes_nothing(user, other_user):
    club = group_of(user)
    services.group_join(user=other_user, group=club)
    services.group_join(user=other_user, group=club)
    assert Group.objects.get(pk=club.pk).member_count == 2


def test_asking_to_join_a_private_group_notifies_its_owner_and_moderators(user, other_user):
    club = group_of(user, private=True)
    moderator, plain_member = person(), person()
    add_member(club, moderator, role=Membership.Role.MODERATOR)
    add_member(club, plain_member)
    count_before = Group.objects.get(pk=club.pk).member_count
    membership = services.group_join(user=other_user, group=club)
    assert membership.state == Membership.State.PENDING
    assert Group.objects.get(pk=club.pk).member_count == count_before
    for told in (user, moderator):
        [note] = notifications(told, Verb.GROUP_REQUEST)
        assert note.actor == other_user and note.group == club
    assert notifications(plain_member) == []
    assert list(selectors.group_requests(club)) == [membership]


def test_approving_a_request_makes_a_member_and_tells_them(user, other_user):
    club = group_of(user, private=True)
    services.group_join(user=other_user, group=club)
    services.group_request_decide(moderator=user, group=club, user=other_user, approve=True)
    assert selectors.membership_of(other_user, club).state == Membership.State.ACTIVE
    assert Group.objects.get(pk=club.pk).member_count == 2
    assert len(notifications(other_user, Verb.GROUP_APPROVED)) == 1


def test_rejecting_a_request_removes_it_quietly(user, other_user):
    club = group_of(user, private=True)
    services.group_join(user=other_user, group=club)
    services.group_request_decide(moderator=user, group=club, user=other_user, approve=False)
    assert selectors.membership_of(other_user, club) is None
    assert Group.objects.get(pk=club.pk).member_count == 1
    assert notifications(other_user) == []


def test_only_moderators_decide_on_requests(user, other_user):
    club = group_of(user, private=True)
    member = person()
    add_member(club, member)
    services.group_join(user=other_user, group=club)
    with pytest.raises(PermissionDenied):
        services.group_request_decide(moderator=member, group=club, user=other_user, approve=True)
    assert selectors.membership_of(other_user, club).state == Membership.State.PENDING


def test_deciding_without_a_pending_request_says_so(user, other_user):
    club = group_of(user, private=True)
    with pytest.raises(ValidationError):
        services.group_request_decide(moderator=user, group=club, user=other_user, approve=True)


def test_leaving_a_group_lowers_the_count(user, other_user):
    club = group_of(user)
    services.group_join(user=other_user, group=club)
    assert services.group_leave(user=other_user, group=club) is True
    assert Group.objects.get(pk=club.pk).member_count == 1
    assert services.group_leave(user=other_user, group=club) is False


def test_withdrawing_a_pending_request_leaves_the_count_alone(user, other_user):
    club = group_of(user, private=True)
    services.group_join(user=other_user, group=club)
    services.group_leave(user=other_user, group=club)
    assert Group.objects.get(pk=club.pk).member_count == 1


def test_the_owner_cannot_leave_their_group(user):
    club = group_of(user)
    with pytest.raises(ValidationError):
        services.group_leave(user=user, group=club)


# --- notifications ---------------------------------------------------------------------


def test_the_unread_count_and_marking_everything_read(user, other_user):
    post = post_by(user)
    services.like_create(user=other_user, post=post)
    services.follow_create(follower=other_user, followee=user)
    assert selectors.unread_notification_count(user) == 2
    assert services.notifications_mark_read(user=user) == 2
    assert selectors.unread_notification_count(user) == 0
    assert len(selectors.notifications_for(user)) == 2  # read, not gone


def test_marking_some_notifications_read(user, other_user):
    services.like_create(user=other_user, post=post_by(user))
    services.follow_create(follower=other_user, followee=user)
    newest = selectors.notifications_for(user).first()
    assert services.notifications_mark_read(user=user, ids=[newest.pk]) == 1
    assert selectors.unread_notification_count(user) == 1


def test_nobody_can_mark_someone_elses_notifications_read(user, other_user):
    services.follow_create(follower=other_user, followee=user)
    note = selectors.notifications_for(user).get()
    assert services.notifications_mark_read(user=other_user, ids=[note.pk]) == 0
    assert selectors.unread_notification_count(user) == 1


def test_notifications_are_newest_first(user, other_user):
    services.follow_create(follower=other_user, followee=user)
    services.like_create(user=other_user, post=post_by(user))
    assert [n.verb for n in selectors.notifications_for(user)] == [Verb.LIKE, Verb.FOLLOW]


# --- reports ---------------------------------------------------------------------------


def test_a_report_on_a_post_is_open_with_its_reason_and_details(user, other_user):
    post = post_by(user)
    report = services.report_create(
        reporter=other_user, reason=Report.Reason.SPAM, details=" buy now ", post=post
    )
    assert report.status == Report.Status.OPEN
    assert report.target_kind == "post" and report.details == "buy now"


def test_a_comment_and_a_person_can_be_reported(user, other_user):
    comment = services.comment_create(author=user, post=post_by(user), text="rude")
    on_comment = services.report_create(reporter=other_user, reason="abuse", comment=comment)
    on_person = services.report_create(reporter=other_user, reason="hate", person=user)
    assert on_comment.target_kind == "comment" and on_person.target_kind == "person"


@pytest.mark.parametrize("targets", ["none", "two"])
def test_a_report_needs_exactly_one_target(user, other_user, targets):
    post = post_by(user)
    kwargs = {} if targets == "none" else {"post": post, "person": user}
    with pytest.raises(ValidationError) as error:
        services.report_create(reporter=other_user, reason="spam", **kwargs)
    assert "exactly one" in str(error.value)
    assert not Report.objects.exists()


def test_a_report_needs_a_reason_from_the_list(user, other_user):
    with pytest.raises(ValidationError):
        services.report_create(reporter=other_user, reason="boring", post=post_by(user))


def test_report_details_are_limited(user, other_user):
    with pytest.raises(ValidationError):
        services.report_create(
            reporter=other_user, reason="other", details="d" * 1001, post=post_by(user)
        )


def test_nobody_can_report_themselves(user):
    with pytest.raises(ValidationError):
        services.report_create(reporter=user, reason="spam", person=user)
