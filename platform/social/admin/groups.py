"""Groups and memberships in the admin; a group's member count is the services' to keep."""

from django.contrib import admin

from flywheel.admin import ReadOnlyAdmin
from social.admin.display import _site_url
from social.models import Group, Membership


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "privacy", "owner", "member_count", "created_at"]
    list_filter = ["privacy", "created_at"]
    search_fields = ["name", "slug", "description", "owner__username"]
    list_select_related = ["owner"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["slug", "owner", "member_count", "created_at"]

    def has_add_permission(self, request):
        return False  # a group needs its owner's membership: people create groups on the site

    def view_on_site(self, group):
        return _site_url("social:group", group.slug)


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "group", "role", "state", "created_at"]
    list_filter = ["state", "role", "group__privacy"]
    search_fields = ["user__username", "group__name", "group__slug"]
    list_select_related = ["user", "group"]
    autocomplete_fields = ["user", "group"]

    def has_delete_permission(self, request, obj=None):
        return False  # the group's member count would lie
