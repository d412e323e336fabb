from django.apps import AppConfig


class MastodonApiConfig(AppConfig):
    """A subset of Mastodon's client API, so Mastodon apps and libraries can use Flywheel."""

    name = "mastodon_api"
    verbose_name = "Mastodon client API"
