"""Groups: creating one, joining and leaving, and moderators deciding join requests."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.text import slugify

from events.models import EventKind
from events.services import event_record
from social import selectors
from social.models import Group, Membership, Notification
from social.services.common import _insert_once, _notify


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
