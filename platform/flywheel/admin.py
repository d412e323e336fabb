"""What the staff console's apps share."""

from django.contrib import admin
from django.contrib.auth import get_permission_codename


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

    def has_operate_permission(self, request) -> bool:
        """Actions on these rows (activate a model, recompute a rollup) need the model's
        "change" permission in Django's permission system, even though no form edits them:
        a view-only staff member can look but not act."""
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}")
