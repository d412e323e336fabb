from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.safestring import mark_safe

from accounts import tokens
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

    def user_change_password(self, request, id, form_url=""):
        """Staff setting someone's password also revokes that person's API tokens (their
        sessions end by themselves: the session hash follows the password)."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            tokens.tokens_revoke_all(user=self.get_object(request, id))
        return response

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
