"""What the staff console's apps share."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows only the code writes (services keep counters, tasks compute, training records):
    staff read them and never type them in. `deletable = False` also keeps them from being
    deleted, for rows that are the only record of something (money, a model's history)."""

    deletable = True

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.deletable and super().has_delete_permission(request, obj)
