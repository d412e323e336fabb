"""The staff console for the social core: every model, and the report review queue.

Actions are thin: they call the moderation services, so hiding a post from the admin does
exactly what hiding it anywhere else does. Rows whose counters the services keep (likes,
shares, memberships) are read-only here, so an edit in the admin cannot make a count lie.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.timesince import timesince

from flywheel.admin import ReadOnlyAdmin
from social import moderation, services
from social.models import (
    Block,
    Comment,
    Follow,
    Group,
    Hashtag,
    Like,
    Membership,
    Mute,
    Notification,
    Post,
    Report,
    Share,
)


def _short(text: str, words: int = 12) -> str:
    return Truncator(text).words(words, truncate="…")


def _admin_link(obj, label=None):
    if obj is None:
        return "-"
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label if label is not None else str(obj))


def _site_url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# --- posts, comments, hashtags ---------------------------------------------------------


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "author",
        "excerpt",
        "group",
        "created_at",
        "like_count",
        "share_count",
        "comment_count",
        "open_reports",
        "is_hidden",
    ]
    list_display_links = ["id", "excerpt"]
    list_filter = ["is_hidden", "created_at", "group__privacy"]
    search_fields = ["text", "author__username", "author__display_name"]
    list_select_related = ["author", "group"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["author", "group"]
    raw_id_fields = ["hashtags", "mentions"]
    readonly_fields = [
        "author",
        "text",
        "image",
        "group",
        "hashtags",
        "mentions",
        "created_at",
        "edited_at",
        "like_count",
        "share_count",
        "comment_count",
        "is_hidden",
    ]
    actions = ["hide_posts", "unhide_posts"]

    def has_add_permission(self, request):
        return False  # posts are written by people, through the site

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                open_report_count=Count("reports", filter=Q(reports__status=Report.Status.OPEN))
            )
        )

    @admin.display(description="text")
    def excerpt(self, post):
        return _short(post.text)

    @admin.display(description="open reports", ordering="open_report_count")
    def open_reports(self, post):
        return post.open_report_count

    def view_on_site(self, post):
        return _site_url("social:post", post.pk)

    @admin.action(description="Hide the selected posts", permissions=["change"])
    def hide_posts(self, request, queryset):
        hidden = sum(moderation.post_hide(staff=request.user, post=post) for post in queryset)
        self.message_user(request, f"Hid {hidden} post(s); nobody but staff can see them now.")

    @admin.action(description="Unhide the selected posts", permissions=["change"])
    def unhide_posts(self, request, queryset):
        shown = sum(moderation.post_unhide(staff=request.user, post=post) for post in queryset)
        self.message_user(request, f"{shown} post(s) are visible again.")


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "author", "excerpt", "post_link", "created_at", "is_hidden"]
    list_filter = ["is_hidden", "created_at"]
    search_fields = ["text", "author__username"]
    list_select_related = ["author", "post"]
    raw_id_fields = ["post"]
    autocomplete_fields = ["author"]
    readonly_fields = ["post", "author", "text", "created_at", "is_hidden"]
    actions = ["hide_comments"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="text")
    def excerpt(self, comment):
        return _short(comment.text)

    @admin.display(description="on post")
    def post_link(self, comment):
        return _admin_link(comment.post, f"#{comment.post_id}")

    @admin.action(description="Hide the selected comments", permissions=["change"])
    def hide_comments(self, request, queryset):
        hidden = sum(moderation.comment_hide(staff=request.user, comment=c) for c in queryset)
        self.message_user(request, f"Hid {hidden} comment(s).")

    # Deleting goes through the service, so the post's comment count follows.
    def delete_model(self, request, obj):
        services.comment_delete(user=request.user, comment=obj)

    def delete_queryset(self, request, queryset):
        for comment in queryset.select_related("post"):
            services.comment_delete(user=request.user, comment=comment)


@admin.register(Hashtag)
class HashtagAdmin(admin.ModelAdmin):
    list_display = ["name", "posts_using", "created_at"]
    search_fields = ["name"]
    list_filter = ["created_at"]
    readonly_fields = ["name", "created_at"]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_total=Count("posts"))

    @admin.display(description="posts", ordering="post_total")
    def posts_using(self, hashtag):
        return hashtag.post_total


# --- reactions and the social graph ----------------------------------------------------


@admin.register(Like)
class LikeAdmin(ReadOnlyAdmin):
    list_display = ["user", "post", "created_at"]
    search_fields = ["user__username", "post__text"]
    list_filter = ["created_at"]
    list_select_related = ["user", "post__author"]
    raw_id_fields = ["post"]
    autocomplete_fields = ["user"]

    def has_delete_permission(self, request, obj=None):
        return False  # the post's like count would lie


@admin.register(Share)
class ShareAdmin(ReadOnlyAdmin):
    list_display = ["user", "post", "comment", "created_at"]
    search_fields = ["user__username", "comment", "post__text"]
    list_filter = ["created_at"]
    list_select_related = ["user", "post__author"]
    raw_id_fields = ["post"]
    autocomplete_fields = ["user"]

    def has_delete_permission(self, request, obj=None):
        return False  # the post's share count would lie


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin):
    list_display = ["follower", "followee", "created_at"]
    search_fields = ["follower__username", "followee__username"]
    list_filter = ["created_at"]
    list_select_related = ["follower", "followee"]
    autocomplete_fields = ["follower", "followee"]


@admin.register(Block)
class BlockAdmin(ReadOnlyAdmin):
    list_display = ["blocker", "blocked", "created_at"]
    search_fields = ["blocker__username", "blocked__username"]
    list_filter = ["created_at"]
    list_select_related = ["blocker", "blocked"]
    autocomplete_fields = ["blocker", "blocked"]


@admin.register(Mute)
class MuteAdmin(ReadOnlyAdmin):
    list_display = ["muter", "muted", "created_at"]
    search_fields = ["muter__username", "muted__username"]
    list_filter = ["created_at"]
    list_select_related = ["muter", "muted"]
    autocomplete_fields = ["muter", "muted"]


# --- groups ----------------------------------------------------------------------------


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


# --- the report review queue -----------------------------------------------------------


class ReportStatusFilter(admin.SimpleListFilter):
    """The queue opens on open reports; "All" shows the history."""

    title = "status"
    parameter_name = "status"
    default = Report.Status.OPEN

    def lookups(self, request, model_admin):
        return [*Report.Status.choices, ("all", "All")]

    def queryset(self, request, queryset):
        value = self.value() or self.default
        return queryset if value == "all" else queryset.filter(status=value)

    def choices(self, changelist):
        current = self.value() or self.default
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


class ReportKindFilter(admin.SimpleListFilter):
    title = "what was reported"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [("post", "Posts"), ("comment", "Comments"), ("person", "People")]

    def queryset(self, request, queryset):
        field = {"post": "post", "comment": "comment", "person": "reported_user"}.get(self.value())
        return queryset.filter(**{f"{field}__isnull": False}) if field else queryset


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "target",
        "reason",
        "short_details",
        "reporter_link",
        "age",
        "status",
        "handled_by",
    ]
    list_display_links = ["id"]
    list_filter = [ReportStatusFilter, ReportKindFilter, "reason", "created_at"]
    search_fields = [
        "details",
        "reporter__username",
        "reported_user__username",
        "post__text",
        "post__author__username",
        "comment__text",
        "comment__author__username",
    ]
    list_select_related = [
        "reporter",
        "post__author",
        "comment__author",
        "reported_user",
        "handled_by",
    ]
    ordering = ["created_at"]  # the oldest open report first: it has waited longest
    readonly_fields = [
        "target",
        "target_text",
        "reporter",
        "reason",
        "details",
        "status",
        "resolution",
        "handled_by",
        "handled_at",
        "created_at",
    ]
    fields = readonly_fields
    actions = ["hide_reported_content", "suspend_account", "dismiss_reports"]

    def has_add_permission(self, request):
        return False  # people report through the site and the API

    @admin.display(description="reported")
    def target(self, report):
        if report.post_id:
            return _admin_link(report.post, f"post #{report.post_id} by {report.post.author}")
        if report.comment_id:
            return _admin_link(
                report.comment, f"comment #{report.comment_id} by {report.comment.author}"
            )
        return _admin_link(report.reported_user, f"person {report.reported_user}")

    @admin.display(description="reported text")
    def target_text(self, report):
        if report.post_id:
            return report.post.text
        if report.comment_id:
            return report.comment.text
        return report.reported_user.bio or "-"

    @admin.display(description="details")
    def short_details(self, report):
        return _short(report.details, 20) or "-"

    @admin.display(description="reporter", ordering="reporter__username")
    def reporter_link(self, report):
        return _admin_link(report.reporter)

    @admin.display(description="age", ordering="created_at")
    def age(self, report):
        return timesince(report.created_at)

    def _act(self, request, queryset, service, done: str):
        count = 0
        for report in queryset.select_related("post", "comment", "reported_user"):
            try:
                service(staff=request.user, report=report)
            except (ValidationError, PermissionDenied) as error:
                reason = " ".join(getattr(error, "messages", [str(error)]))
                self.message_user(request, f"Report #{report.pk}: {reason}", messages.ERROR)
                continue
            count += 1
        self.message_user(request, f"{done} for {count} report(s).", messages.SUCCESS)

    @admin.action(description="Hide the reported content", permissions=["change"])
    def hide_reported_content(self, request, queryset):
        self._act(request, queryset, moderation.report_hide_content, "Content hidden")

    @admin.action(description="Suspend the account", permissions=["change"])
    def suspend_account(self, request, queryset):
        self._act(request, queryset, moderation.report_suspend_account, "Account suspended")

    @admin.action(description="Dismiss", permissions=["change"])
    def dismiss_reports(self, request, queryset):
        self._act(request, queryset, moderation.report_dismiss, "Dismissed")
