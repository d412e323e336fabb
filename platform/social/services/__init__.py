"""Writes to the social graph. Each is one transaction; counters move with F() expressions
and unique constraints decide races, so concurrent requests never lose or double-count.

One module per area, all importable from here (`from social import services`):
`posts` (write, edit, delete, with hashtags and mentions), `reactions` (likes and shares),
`comments`, `relationships` (follows, blocks, mutes), `groups` (membership and join requests),
`notifications`, `reports`; `common` holds what they share. Staff actions live in
social.moderation and are re-exported here for callers of services.
"""

from social.moderation import (
    account_suspend,
    account_unsuspend,
    comment_hide,
    post_hide,
    post_unhide,
    report_dismiss,
    report_hide_content,
    report_suspend_account,
)
from social.services.comments import comment_create, comment_delete
from social.services.groups import group_create, group_join, group_leave, group_request_decide
from social.services.notifications import notifications_dismiss, notifications_mark_read
from social.services.posts import EDIT_WINDOW, post_create, post_delete, post_update
from social.services.reactions import like_create, like_delete, share_create, share_delete
from social.services.relationships import (
    block_create,
    block_delete,
    follow_create,
    follow_delete,
    mute_create,
    mute_delete,
)
from social.services.reports import report_create

__all__ = [
    "EDIT_WINDOW",
    "account_suspend",
    "account_unsuspend",
    "block_create",
    "block_delete",
    "comment_create",
    "comment_delete",
    "comment_hide",
    "follow_create",
    "follow_delete",
    "group_create",
    "group_join",
    "group_leave",
    "group_request_decide",
    "like_create",
    "like_delete",
    "mute_create",
    "mute_delete",
    "notifications_dismiss",
    "notifications_mark_read",
    "post_create",
    "post_delete",
    "post_hide",
    "post_unhide",
    "post_update",
    "report_create",
    "report_dismiss",
    "report_hide_content",
    "report_suspend_account",
    "share_create",
    "share_delete",
]
