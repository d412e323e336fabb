"""Template helpers for the social pages: post text, ages, permissions, icons, the nav badge."""

import hashlib

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from social import selectors
from social.models import Notification
from social.services import EDIT_WINDOW
from social.text import render_text

register = template.Library()


@register.simple_tag
def post_text(post):
    """The post's text escaped, with links; mentions link only to people who exist (when the
    mentions were prefetched, as the pages do, this costs no query)."""
    prefetched = getattr(post, "_prefetched_objects_cache", {})
    known = {u.username for u in prefetched["mentions"]} if "mentions" in prefetched else None
    return render_text(post.text, known)


@register.simple_tag
def comment_text(comment):
    return render_text(comment.text)


@register.filter
def description_text(text):
    """A group's description, escaped, with its hashtags and web addresses as links (no
    mention links: a description names no one it could notify)."""
    return render_text(text or "", known_usernames=set())


@register.filter
def short_age(moment):
    """'now', '5m', '3h', '2d', then 'Mar 3' (this year) or 'Mar 3, 2024'."""
    if not moment:
        return ""
    now = timezone.now()
    seconds = int((now - moment).total_seconds())
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    if seconds < 7 * 86400:
        return f"{seconds // 86400}d"
    local = timezone.localtime(moment)
    if local.year == timezone.localtime(now).year:
        return f"{local:%b} {local.day}"
    return f"{local:%b} {local.day}, {local.year}"


@register.filter
def can_edit(post, user) -> bool:
    return (
        user.is_authenticated
        and post.author_id == user.pk
        and timezone.now() - post.created_at <= EDIT_WINDOW
    )


@register.filter
def can_delete(post, user) -> bool:
    return user.is_authenticated and (post.author_id == user.pk or user.is_staff)


@register.filter
def can_delete_comment(comment, user) -> bool:
    """The comment's author, the post's author and staff (as services.comment_delete)."""
    return user.is_authenticated and (
        user.pk in (comment.author_id, comment.post.author_id) or user.is_staff
    )


@register.filter
def can_share(post) -> bool:
    return not (post.group_id and post.group.is_private)


@register.filter
def notification_url(notification) -> str:
    """Where a notification leads: the post (at the comment), the person or the group."""
    verbs = Notification.Verb
    if notification.verb == verbs.COMMENT and notification.post_id:
        url = reverse("social:post", args=[notification.post_id])
        return f"{url}#comment-{notification.comment_id}" if notification.comment_id else url
    if notification.post_id:
        return reverse("social:post", args=[notification.post_id])
    if notification.group_id:
        url = reverse("social:group", args=[notification.group.slug])
        return f"{url}#requests" if notification.verb == verbs.GROUP_REQUEST else url
    return reverse("social:profile", args=[notification.actor.username])


@register.inclusion_tag("social/_nav_notifications.html", takes_context=True)
def notifications_nav_link(context):
    """The nav's Notifications link with the unread count, refreshed by htmx every 30 s."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    count = context.get("unread_notification_count")
    if callable(count):
        count = count()
    if count is None and user is not None and user.is_authenticated:
        count = selectors.unread_notification_count(user)
    name = getattr(getattr(request, "resolver_match", None), "url_name", "")
    return {"count": count or 0, "is_current": name == "notifications", "user": user}


ICONS = {
    "home": '<path d="M3 10.5L12 3l9 7.5"/><path d="M5 9.5V21h5v-6h4v6h5V9.5"/>',
    "compass": '<circle cx="12" cy="12" r="9"/><path d="M15.5 8.5l-2 5-5 2 2-5z"/>',
    "settings": '<circle cx="12" cy="12" r="3"/><path d="M12 2v3M12 19v3M2 12h3M19 12h3'
    'M4.9 4.9l2.1 2.1M17 17l2.1 2.1M4.9 19.1L7 17M17 7l2.1-2.1"/>',
    "heart": '<path d="M12 20.7s-7.5-4.6-9.6-9.2C1 8.4 2.7 4.8 6.2 4.4c2.1-.2 3.9.9 4.8 '
    '2.5.9-1.6 2.7-2.7 4.8-2.5 3.5.4 5.2 4 3.8 7.1-2.1 4.6-9.6 9.2-9.6 9.2z"/>',
    "share": '<path d="M17 2l4 4-4 4"/><path d="M3 11v-1a4 4 0 0 1 4-4h14"/>'
    '<path d="M7 22l-4-4 4-4"/><path d="M21 13v1a4 4 0 0 1-4 4H3"/>',
    "comment": '<path d="M21 11.5a8.4 8.4 0 0 1-9 8.4 9 9 0 0 1-3.9-.9L3 20.5l1.5-4.6A8.4 8.4 0 '
    '0 1 3 11.5 8.5 8.5 0 0 1 12 3a8.5 8.5 0 0 1 9 8.5z"/>',
    "more": '<circle cx="5" cy="12" r="1.6"/><circle cx="12" cy="12" r="1.6"/>'
    '<circle cx="19" cy="12" r="1.6"/>',
    "image": '<rect x="3" y="3" width="18" height="18" rx="3"/><circle cx="9" cy="9" r="2"/>'
    '<path d="M21 15l-5-5L5 21"/>',
    "lock": '<rect x="4" y="11" width="16" height="10" rx="2"/><path d="M8 11V7a4 4 0 0 1 8 0v4"/>',
    "globe": '<circle cx="12" cy="12" r="9"/><path d="M3 12h18"/>'
    '<path d="M12 3a14 14 0 0 1 0 18a14 14 0 0 1 0-18z"/>',
    "users": '<path d="M17 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2"/><circle cx="9" cy="7" r="4"/>'
    '<path d="M23 21v-2a4 4 0 0 0-3-3.9"/><path d="M16 3.1a4 4 0 0 1 0 7.8"/>',
    "search": '<circle cx="11" cy="11" r="7"/><path d="M21 21l-4.3-4.3"/>',
    "bell": '<path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9"/>'
    '<path d="M13.7 21a2 2 0 0 1-3.4 0"/>',
    "hash": '<path d="M4 9h16M4 15h16M10 3L8 21M16 3l-2 18"/>',
    "calendar": '<rect x="3" y="4" width="18" height="18" rx="2"/>'
    '<path d="M16 2v4M8 2v4M3 10h18"/>',
    "flag": '<path d="M4 15s1-1 4-1 5 2 8 2 4-1 4-1V3s-1 1-4 1-5-2-8-2-4 1-4 1z"/>'
    '<path d="M4 22v-7"/>',
}


@register.simple_tag
def icon(name, label=""):
    """An inline SVG icon; decorative unless a label is given."""
    paths = mark_safe(ICONS[name])  # our own constant markup, never user input
    if label:
        return format_html(
            '<svg class="icon icon--{}" viewBox="0 0 24 24" role="img" aria-label="{}">{}</svg>',
            name,
            label,
            paths,
        )
    return format_html(
        '<svg class="icon icon--{}" viewBox="0 0 24 24" aria-hidden="true" focusable="false">'
        "{}</svg>",
        name,
        paths,
    )


@register.filter
def hue(text) -> int:
    """A stable colour (0-359) for a name, like the generated avatars."""
    return int(hashlib.sha1(str(text).encode()).hexdigest()[:4], 16) % 360
