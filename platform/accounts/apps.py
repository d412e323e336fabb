from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, profiles, authentication, privacy switches, login protection."""

    name = "accounts"

    def ready(self):
        from accounts.selectors import avatar_visible_to
        from flywheel.media import MediaKind, register

        register(MediaKind("avatars", may_see=avatar_visible_to))
