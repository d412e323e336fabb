from django.apps import AppConfig


class BotsConfig(AppConfig):
    """Seeded bot users with ground-truth tastes, and the driver that runs them over HTTP."""

    name = "bots"
