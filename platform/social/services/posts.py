"""Writing, editing and deleting posts, with the hashtags and mentions found in their text."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from events.models import EventKind
from events.services import event_record
from flywheel.ratelimit import check_and_count
from social import selectors
from social.models import POST_MAX_LENGTH, Group, Hashtag, Membership, Notification, Post
from social.services.common import _clean_text, _notify
from social.text import hashtags_in, mentions_in
from social.text_html import keep_post_html

User = get_user_model()
EDIT_WINDOW = timedelta(minutes=15)


def _people_named(usernames: list[str], *, exclude) -> list:
    """Active people with these usernames, matched without regard to case."""
    if not usernames:
        return []
    named = Q()
    for username in usernames:
        named |= Q(username__iexact=username)
    return list(User.objects.filter(named, is_active=True).exclude(pk=exclude))


def _link_entities(post: Post, *, notify: bool) -> None:
    """Attach hashtags and mentions found in the text and keep the text rendered with them;
    notify newly mentioned people who can see the post (a mention in a private group does
    not reach people outside it)."""
    names = hashtags_in(post.text)
    if names:
        Hashtag.objects.bulk_create([Hashtag(name=n) for n in names], ignore_conflicts=True)
    post.hashtags.set(Hashtag.objects.filter(name__in=names))
    mentioned = _people_named(mentions_in(post.text), exclude=post.author_id)
    previous = set(post.mentions.values_list("pk", flat=True))
    post.mentions.set(mentioned)
    keep_post_html(post, [person.username for person in mentioned])
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
    return post


@transaction.atomic
def post_delete(*, user, post: Post) -> None:
    if post.author_id != user.pk and not user.is_staff:
        raise PermissionDenied("Only the author can delete this post.")
    post.delete()
