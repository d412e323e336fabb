from django.apps import AppConfig


class FeedsConfig(AppConfig):
    """Interaction matrix, ALS training, model registry, ranking, suggestions, trends."""

    name = "feeds"
