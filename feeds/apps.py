from django.apps import AppConfig


class FeedsConfig(AppConfig):
    """Interaction matrix, ALS training, model registry, ranking, suggestions, trends."""

    name = "feeds"

    def ready(self):
        from accounts.privacy import register_export_section
        from feeds.ranker_log import export_rows
        from feeds.topic_engagement import export_rows as topic_rows

        # What ranked feeds served a person, and the features the ranker saw, are theirs too.
        register_export_section("served_posts", export_rows)
        register_export_section("time_on_hashtags", topic_rows)
