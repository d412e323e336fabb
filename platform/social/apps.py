from django.apps import AppConfig


class SocialConfig(AppConfig):
    """Posts, likes, shares, comments, follows, hashtags, groups, notifications, search."""

    name = "social"
