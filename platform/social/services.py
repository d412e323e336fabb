"""Writes to the social graph. Each is one transaction; counters move with F() expressions
and unique constraints decide races, so concurrent requests never lose or double-count."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify

from analytics.models import EventKind
from analytics.services import event_record
from flywheel.errors import NotFound
from flywheel.ratelimit import check_and_count
from social import selectors
from social.cards import forget_cards
from social.models import (
    COMMENT_MAX_LENGTH,
    POST_MAX_LENGTH,
    Block,
    Comment,
    Follow,
    Group,
    Hashtag,
    Like,
    Membership,
    Mute,
    Notification,
    Post,
    Report,
    Share,
)
from social.moderation import (  # noqa: F401 - staff actions, re-exported for callers of services
    account_suspend,
    account_unsuspend,
    comment_hide,
    post_hide,
    post_unhide,
    report_dismiss,
    report_hide_content,
    report_suspend_account,
)
from social.text import hashtags_in, mentions_in

User = get_user_model()
EDIT_WINDOW = timedelta(minutes=15)


def _clean_text(text, *, limit: int, what: str) -> str:
    if not isinstance(text, str):
        raise ValidationError({"text": f"The {what} must be text."})
    text = text.strip()
    if not text:
        raise ValidationError({"text": f"Write something: the {what} is empty."})
    if len(text) > limit:
        raise ValidationError(
            {"text": f"The {what} is {len(text)} characters long; the limit is {limit}."}
        )
    return text


def _notify(*, recipient, actor, verb, **targets) -> None:
    if recipient.pk == actor.pk:
        return
    Notification.objects.create(recipient=recipient, actor=actor, verb=verb, **targets)


def _require_interaction_allowed(user, post: Post) -> None:
    """Blocks forbid interaction; posts the person cannot see (hidden, a suspended author, a
    private group they are not in, deleted meanwhile) cannot be interacted with either."""
    if selectors.is_blocked_between(user, post.author_id):
        raise PermissionDenied("You cannot interact with this person's posts.")
    reachable = Post.objects.filter(pk=post.pk, is_hidden=False, author__is_active=True).filter(
        Q(group__isnull=True)
        | Q(group__privacy=Group.Privacy.PUBLIC)
        | Q(group_id__in=selectors.member_group_ids(user))
    )
    if not reachable.exists():
        raise NotFound("That post does not exist or is not visible to you.")


def _insert_once(model, **fields):
    """Insert a row guarded by a unique constraint; None when it already exists.

    The insert runs in a savepoint, so losing a race to a concurrent request rolls back only
    the savepoint, never the caller's transaction (get_or_create re-raises IntegrityError when
    the winner's row is deleted again before it can be read).
    """
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError:
        return None


def _bump(post: Post, field: str, delta: int) -> None:
    """Move a counter on a post; the post must still exist (its row is locked until commit, so
    it cannot be deleted under us and leave a dangling like or share)."""
    if not Post.objects.filter(pk=post.pk).update(**{field: F(field) + delta}):
        raise NotFound("That post does not exist any more.")


def _people_named(usernames: list[str], *, exclude) -> list:
    """Active people with these usernames, matched without regard to case."""
    if not usernames:
        return []
    named = Q()
    for username in usernames:
        named |= Q(username__iexact=username)
    return list(User.objects.filter(named, is_active=True).exclude(pk=exclude))


def _link_entities(post: Post, *, notify: bool) -> None:
    """Attach hashtags and mentions found in the text; notify newly mentioned people who can
    see the post (a mention in a private group does not reach people outside it)."""
    names = hashtags_in(post.text)
    if names:
        Hashtag.objects.bulk_create([Hashtag(name=n) for n in names], ignore_conflicts=True)
    post.hashtags.set(Hashtag.objects.filter(name__in=names))
    mentioned = _people_named(mentions_in(post.text), exclude=post.author_id)
    previous = set(post.mentions.values_list("pk", flat=True))
    post.mentions.set(mentioned)
    if notify:
        if post.group_id and post.group.is_private:
            members = set(
                Membership.objects.filter(
                    group_id=post.group_id, state=Membership.State.ACTIVE
                ).values_list("user_id", flat=True)
            )
            mentioned = [person for person in mentioned if person.pk in members]
        for person in mentioned:
            if person.pk not in previous and not selectors.is_blocked_between(person, post.author):
                _notify(
                    recipient=person, actor=post.author, verb=Notification.Verb.MENTION, post=post
                )


# --- posts -----------------------------------------------------------------------------


@transaction.atomic
def post_create(*, author, text, image=None, group: Group | None = None) -> Post:
    text = _clean_text(text, limit=POST_MAX_LENGTH, what="post")
    if group is not None:
        membership = selectors.membership_of(author, group)
        if membership is None or membership.state != Membership.State.ACTIVE:
            raise PermissionDenied("Join the group before posting in it.")
    post = Post(author=author, text=text, group=group)
    if image:
        post.image = image
    post.full_clean(exclude=["author", "group"])
    # Counted after validation: a rejected attempt does not use up the budget.
    check_and_count("post", author.pk, action="posts")
    post.save()
    _link_entities(post, notify=True)
    event_record(EventKind.POST, user=author, post=post, group=group)
    return post


@transaction.atomic
def post_update(*, user, post: Post, text) -> Post:
    if post.author_id != user.pk:
        raise PermissionDenied("Only the author can edit this post.")
    if timezone.now() - post.created_at > EDIT_WINDOW:
        minutes = int(EDIT_WINDOW.total_seconds() // 60)
        raise ValidationError({"text": f"Posts can be edited for {minutes} minutes after posting."})
    post.text = _clean_text(text, limit=POST_MAX_LENGTH, what="post")
    post.edited_at = timezone.now()
    post.save(update_fields=["text", "edited_at"])
    _link_entities(post, notify=True)
    forget_cards([post.pk])
    return post


@transaction.atomic
def post_delete(*, user, post: Post) -> None:
    if post.author_id != user.pk and not user.is_staff:
        raise PermissionDenied("Only the author can delete this post.")
    forget_cards([post.pk])
    post.delete()


# --- likes and shares ------------------------------------------------------------------


@transaction.atomic
def like_create(*, user, post: Post) -> bool:
    """Like a post; returns False when it was already liked (the count is unchanged)."""
    _require_interaction_allowed(user, post)
    return _react(
        Like,
        user=user,
        post=post,
        counter="like_count",
        kind=EventKind.LIKE,
        verb=Notification.Verb.LIKE,
    )


@transaction.atomic
def like_delete(*, user, post: Post) -> bool:
    return _unreact(Like, user=user, post=post, counter="like_count", kind=EventKind.UNLIKE)


@transaction.atomic
def share_create(*, user, post: Post, comment: str = "") -> bool:
    _require_interaction_allowed(user, post)
    if post.group_id and post.group.is_private:
        raise PermissionDenied("Posts in private groups cannot be shared outside the group.")
    comment = (comment or "").strip()
    if len(comment) > 280:
        raise ValidationError({"comment": "A share comment can be at most 280 characters."})
    return _react(
        Share,
        user=user,
        post=post,
        counter="share_count",
        kind=EventKind.SHARE,
        verb=Notification.Verb.SHARE,
        comment=comment,
    )


@transaction.atomic
def share_delete(*, user, post: Post) -> bool:
    return _unreact(Share, user=user, post=post, counter="share_count", kind=EventKind.UNSHARE)


def _react(model, *, user, post: Post, counter: str, kind, verb, **extra) -> bool:
    """A like or a share: the insert that wins the race moves the counter, records the event
    and notifies the author; a repeat changes nothing and returns False."""
    if _insert_once(model, user=user, post=post, **extra) is None:
        return False
    _bump(post, counter, +1)
    event_record(kind, user=user, post=post)
    _notify(recipient=post.author, actor=user, verb=verb, post=post)
    return True


def _unreact(model, *, user, post: Post, counter: str, kind) -> bool:
    """Undo a like or a share: only a delete that removed a row moves the counter back."""
    deleted, _ = model.objects.filter(user=user, post=post).delete()
    if deleted:
        Post.objects.filter(pk=post.pk).update(**{counter: F(counter) - 1})
        event_record(kind, user=user, post=post)
    return bool(deleted)


# --- comments --------------------------------------------------------------------------


@transaction.atomic
def comment_create(*, author, post: Post, text) -> Comment:
    _require_interaction_allowed(author, post)
    text = _clean_text(text, limit=COMMENT_MAX_LENGTH, what="comment")
    check_and_count("comment", author.pk, action="comments")
    comment = Comment.objects.create(post=post, author=author, text=text)
    _bump(post, "comment_count", +1)
    event_record(EventKind.COMMENT, user=author, post=post)
    _notify(
        recipient=post.author,
        actor=author,
        verb=Notification.Verb.COMMENT,
        post=post,
        comment=comment,
    )
    return comment


@transaction.atomic
def comment_delete(*, user, comment: Comment) -> None:
    """The comment's author, the post's author and staff may remove a comment."""
    if user.pk not in (comment.author_id, comment.post.author_id) and not user.is_staff:
        raise PermissionDenied("You can only delete your own comments or comments on your posts.")
    # Decide from the database, not the instance: two concurrent deletes of one comment must
    # not both decrement, and a hidden comment was already taken off the count.
    counted = Comment.objects.filter(pk=comment.pk, is_hidden=False).exists()
    _, deleted = Comment.objects.filter(pk=comment.pk).delete()
    if deleted.get(Comment._meta.label) and counted:
        Post.objects.filter(pk=comment.post_id).update(comment_count=F("comment_count") - 1)


# --- follows, blocks, mutes ------------------------------------------------------------


@transaction.atomic
def follow_create(*, follower, followee) -> bool:
    if follower.pk == followee.pk:
        raise ValidationError({"detail": "You cannot follow yourself."})
    if selectors.is_blocked_between(follower, followee):
        raise PermissionDenied("You cannot follow this person.")
    if Follow.objects.filter(follower=follower, followee=followee).exists():
        return False
    check_and_count("follow", follower.pk, action="follows")
    if _insert_once(Follow, follower=follower, followee=followee) is None:
        return False
    _notify(recipient=followee, actor=follower, verb=Notification.Verb.FOLLOW)
    event_record(EventKind.FOLLOW, user=follower, target_user=followee)
    return True


@transaction.atomic
def follow_delete(*, follower, followee) -> bool:
    deleted, _ = Follow.objects.filter(follower=follower, followee=followee).delete()
    if deleted:
        event_record(EventKind.UNFOLLOW, user=follower, target_user=followee)
    return bool(deleted)


@transaction.atomic
def block_create(*, blocker, blocked) -> bool:
    """Block someone: they can no longer see or interact with the blocker, and follows between
    the two end in both directions."""
    if blocker.pk == blocked.pk:
        raise ValidationError({"detail": "You cannot block yourself."})
    created = _insert_once(Block, blocker=blocker, blocked=blocked) is not None
    Follow.objects.filter(follower=blocker, followee=blocked).delete()
    Follow.objects.filter(follower=blocked, followee=blocker).delete()
    return created


@transaction.atomic
def block_delete(*, blocker, blocked) -> bool:
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    return bool(deleted)


@transaction.atomic
def mute_create(*, muter, muted) -> bool:
    if muter.pk == muted.pk:
        raise ValidationError({"detail": "You cannot mute yourself."})
    return _insert_once(Mute, muter=muter, muted=muted) is not None


@transaction.atomic
def mute_delete(*, muter, muted) -> bool:
    deleted, _ = Mute.objects.filter(muter=muter, muted=muted).delete()
    return bool(deleted)


# --- groups ----------------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "group"
    slug, n = base, 2
    while Group.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def group_create(*, owner, name, description="", privacy=Group.Privacy.PUBLIC) -> Group:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the group a name."})
    if len(name) > 80:
        raise ValidationError({"name": "A group name can be at most 80 characters."})
    if privacy not in Group.Privacy.values:
        raise ValidationError({"privacy": "Choose public or private."})
    group = Group(
        owner=owner,
        name=name,
        description=(description or "").strip(),
        privacy=privacy,
        slug=_unique_slug(name),
        member_count=1,
    )
    group.full_clean()
    group.save()
    Membership.objects.create(
        group=group, user=owner, role=Membership.Role.OWNER, state=Membership.State.ACTIVE
    )
    return group


@transaction.atomic
def group_join(*, user, group: Group) -> Membership:
    """Join a public group at once; ask to join a private one (moderators are notified)."""
    state = Membership.State.PENDING if group.is_private else Membership.State.ACTIVE
    membership = _insert_once(Membership, group=group, user=user, state=state)
    if membership is None:
        return Membership.objects.get(group=group, user=user)
    if state == Membership.State.ACTIVE:
        Group.objects.filter(pk=group.pk).update(member_count=F("member_count") + 1)
        event_record(EventKind.GROUP_JOIN, user=user, group=group)
    else:
        moderators = Membership.objects.filter(
            group=group,
            state=Membership.State.ACTIVE,
            role__in=[Membership.Role.OWNER, Membership.Role.MODERATOR],
        ).select_related("user")
        for moderator in moderators:
            _notify(
                recipient=moderator.user,
                actor=user,
                verb=Notification.Verb.GROUP_REQUEST,
                group=group,
            )
    return membership


@transaction.atomic
def group_leave(*, user, group: Group) -> bool:
    membership = Membership.objects.select_for_update().filter(group=group, user=user).first()
    if membership is None:
        return False
    if membership.role == Membership.Role.OWNER:
        raise ValidationError({"detail": "The owner cannot leave the group."})
    if membership.state == Membership.State.ACTIVE:
        Group.objects.filter(pk=group.pk).update(member_count=F("member_count") - 1)
        event_record(EventKind.GROUP_LEAVE, user=user, group=group)
    membership.delete()
    return True


def _require_group_moderator(user, group: Group) -> None:
    membership = selectors.membership_of(user, group)
    if not (user.is_staff or (membership and membership.can_moderate)):
        raise PermissionDenied("Only the group's owner and moderators can do that.")


@transaction.atomic
def group_request_decide(*, moderator, group: Group, user, approve: bool) -> None:
    _require_group_moderator(moderator, group)
    membership = (
        Membership.objects.select_for_update()
        .filter(group=group, user=user, state=Membership.State.PENDING)
        .first()
    )
    if membership is None:
        raise ValidationError({"detail": "There is no pending request from this person."})
    if approve:
        membership.state = Membership.State.ACTIVE
        membership.save(update_fields=["state"])
        Group.objects.filter(pk=group.pk).update(member_count=F("member_count") + 1)
        _notify(recipient=user, actor=moderator, verb=Notification.Verb.GROUP_APPROVED, group=group)
        event_record(EventKind.GROUP_JOIN, user=user, group=group)
    else:
        membership.delete()


# --- notifications ---------------------------------------------------------------------


def notifications_mark_read(*, user, ids=None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


def notifications_dismiss(*, user, ids=None) -> int:
    """Remove the person's notifications (these ids, or all of them); others' are untouched."""
    mine = Notification.objects.filter(recipient=user)
    if ids is not None:
        mine = mine.filter(pk__in=ids)
    deleted, _ = mine.delete()
    return deleted


# --- moderation ------------------------------------------------------------------------


@transaction.atomic
def report_create(*, reporter, reason, details="", post=None, comment=None, person=None) -> Report:
    targets = [t for t in (post, comment, person) if t is not None]
    if len(targets) != 1:
        raise ValidationError({"detail": "Report exactly one post, comment or person."})
    if reason not in Report.Reason.values:
        raise ValidationError({"reason": "Choose a reason from the list."})
    if len(details or "") > 1000:
        raise ValidationError({"details": "Keep the details under 1000 characters."})
    if person is not None and person.pk == reporter.pk:
        raise ValidationError({"detail": "You cannot report yourself."})
    check_and_count("report", reporter.pk, action="reports")
    return Report.objects.create(
        reporter=reporter,
        reason=reason,
        details=(details or "").strip(),
        post=post,
        comment=comment,
        reported_user=person,
    )
