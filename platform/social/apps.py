from django.apps import AppConfig


class SocialConfig(AppConfig):
    """Posts, likes, shares, comments, follows, hashtags, groups, notifications, search."""

    name = "social"

    def ready(self):
        from flywheel.media import MediaKind, register
        from social.selectors import post_image_visible_to

        register(MediaKind("posts", may_see=post_image_visible_to))
