from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.safestring import mark_safe

from accounts.models import LoginFailure, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "display_name",
        "email",
        "kind",
        "is_active",
        "is_staff",
        "personalised_feed",
        "personalised_ads",
        "date_joined",
        "last_login",
    ]
    list_filter = [
        "is_bot",
        "is_staff",
        "is_active",
        "personalised_feed",
        "personalised_ads",
        "age_bracket",
        "region",
        "date_joined",
    ]
    search_fields = ["username", "display_name", "email", "bio"]
    ordering = ["-date_joined"]
    date_hierarchy = "date_joined"
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            "Profile",
            {
                "fields": (
                    "display_name",
                    "bio",
                    "avatar",
                    "age_bracket",
                    "region",
                    "interests",
                    "is_bot",
                )
            },
        ),
        ("Privacy", {"fields": ("personalised_feed", "personalised_ads")}),
    )

    @admin.display(description="kind", ordering="is_bot")
    def kind(self, user):
        if user.is_bot:
            return mark_safe('<span title="simulated user">🤖 bot</span>')
        return "person"


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ["username", "address", "at"]
    search_fields = ["username", "address"]
    list_filter = ["at"]
    readonly_fields = ["username", "address", "at"]
