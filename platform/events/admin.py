from django.contrib import admin

from events.models import Event
from flywheel.admin import ReadOnlyAdmin


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """The event log, read-only: history is appended by the site, never edited by hand."""

    list_display = [
        "id", "created_at", "kind", "user", "post_id", "target_user_id", "group_id", "surface",
        "position", "dwell_ms", "model_version", "arm", "query",
    ]  # fmt: skip
    list_filter = ["kind", "surface", "arm", "created_at"]
    search_fields = ["user__username", "query", "client_key"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    show_full_result_count = False  # counting millions of rows on every page is slow
