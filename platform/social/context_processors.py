"""What every template may read: `unread_notification_count` (the nav badge), a callable the
template calls only when it shows the badge, once per render, so pages that never show it
(and anonymous visitors) cost no query; and `surface`, where the cards on the page are
(social.surfaces), which reaction forms carry."""

from functools import cache

from social import selectors, surfaces


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notification_count": 0}

    @cache
    def unread_notification_count() -> int:
        return selectors.unread_notification_count(user)

    return {"unread_notification_count": unread_notification_count}


def surface(request):
    return {"surface": surfaces.page_surface(request)}
