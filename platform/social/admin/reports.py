"""The report review queue: open reports first, oldest first, with actions that call the
moderation services."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.timesince import timesince

from social import moderation
from social.admin.display import _admin_link, _short
from social.models import Report


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
