"""Notifications in the admin, read-only."""

from django.contrib import admin

from flywheel.admin import ReadOnlyAdmin
from social.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "actor", "verb", "created_at", "is_read"]
    list_filter = ["verb", ("read_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["recipient__username", "actor__username"]
    list_select_related = ["recipient", "actor"]
    raw_id_fields = ["post", "comment", "group"]
    autocomplete_fields = ["recipient", "actor"]

    @admin.display(description="read", boolean=True, ordering="read_at")
    def is_read(self, notification):
        return notification.read_at is not None
