from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, profiles, authentication, privacy switches, login protection."""

    name = "accounts"
