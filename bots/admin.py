"""The simulation's ground truth in the admin, read-only: it is drawn by seed_world and kept by
the driver, never typed in."""

from django.contrib import admin

from bots.models import BotProfile, ModelTruthScore, PostTruth, Topic
from flywheel.admin import ReadOnlyAdmin


@admin.register(Topic)
class TopicAdmin(ReadOnlyAdmin):
    list_display = ["index", "name", "hashtags", "popularity"]


@admin.register(BotProfile)
class BotProfileAdmin(ReadOnlyAdmin):
    list_display = ["user", "origin", "activity", "satisfaction", "sessions",
                    "last_session_at", "churned_at"]  # fmt: skip
    list_filter = ["origin", "churned_at"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    show_full_result_count = False


@admin.register(PostTruth)
class PostTruthAdmin(ReadOnlyAdmin):
    list_display = ["post_id", "main_topic", "topics", "quality"]
    list_filter = ["main_topic"]
    show_full_result_count = False


@admin.register(ModelTruthScore)
class ModelTruthScoreAdmin(ReadOnlyAdmin):
    list_display = [
        "version", "recall", "first_posts_recall", "new_posts_recall", "utility_ratio", "bots",
        "items", "computed_at",
    ]  # fmt: skip
    list_select_related = ["version"]
