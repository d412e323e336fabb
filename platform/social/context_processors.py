"""`unread_notification_count` for every template (the nav badge). It is a callable the
template calls only when it shows the badge, once per render, so pages that never show it
(and anonymous visitors) cost no query."""

from functools import cache

from social import selectors


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notification_count": 0}

    @cache
    def unread_notification_count() -> int:
        return selectors.unread_notification_count(user)

    return {"unread_notification_count": unread_notification_count}
