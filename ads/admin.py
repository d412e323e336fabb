"""Staff console for ads: the review queue (approve, or reject with a reason the advertiser
sees), campaigns and advertisers, and the ledger (read-only: money moves only through
ads.billing)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Value, When
from django.template.response import TemplateResponse
from django.utils.html import format_html

from ads import services
from ads.models import Advertiser, Campaign, CampaignDay, Creative, LedgerEntry
from ads.money import format_money
from flywheel.admin import ReadOnlyAdmin

Review = Creative.Review


def _waiting_first(field: str, waiting: str) -> tuple:
    """An admin ordering that lists rows waiting for a reviewer at the top, oldest first as in
    a queue, then the rest. A list sorted by a clicked column keeps that column's order."""
    waits = Case(When(**{field: waiting}, then=Value(0)), default=Value(1))
    return (waits.asc(), "created_at", "id")


def _money(field: str, description: str):
    @admin.display(description=description, ordering=field)
    def show(self, obj):
        return format_money(getattr(obj, field))

    return show


@admin.register(Advertiser)
class AdvertiserAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "billing_email", "created_at"]
    search_fields = ["name", "user__username", "billing_email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


class CreativeInline(admin.TabularInline):
    model = Creative
    fields = ["headline", "text", "link", "review_state", "review_reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Money fields are read-only here: spend moves only with the ledger."""

    list_display = [
        "name", "advertiser", "state", "bid_type", "bid", "daily_budget", "total_budget", "spent",
        "starts_on", "ends_on",
    ]  # fmt: skip
    list_filter = ["state", "bid_type", "objective"]
    search_fields = ["name", "advertiser__name"]
    list_select_related = ["advertiser"]
    readonly_fields = ["advertiser", "spent_micros", "created_at", "updated_at"]
    filter_horizontal = ["topics"]
    inlines = [CreativeInline]
    actions = ["pause_campaigns"]

    def get_ordering(self, request):
        return _waiting_first("state", Campaign.State.REVIEW)

    bid = _money("bid_micros", "bid")
    daily_budget = _money("daily_budget_micros", "daily budget")
    total_budget = _money("total_budget_micros", "total budget")
    spent = _money("spent_micros", "spent")

    def has_add_permission(self, request):
        return False  # advertisers create campaigns in the console, through the services

    def has_delete_permission(self, request, obj=None):
        return False  # the ledger points at campaigns: the money's history stays

    def save_model(self, request, obj, form, change):
        values = {
            f: form.cleaned_data[f] for f in services.CAMPAIGN_FIELDS if f in form.cleaned_data
        }
        values["topics"] = [h.name for h in form.cleaned_data.get("topics", [])]
        services.campaign_update(campaign=obj, **values)

    def save_related(self, request, form, formsets, change):
        pass  # topics were set by the service

    @admin.action(description="Pause the selected active campaigns", permissions=["change"])
    def pause_campaigns(self, request, queryset):
        paused = 0
        for campaign in queryset.filter(state=Campaign.State.ACTIVE):
            services.campaign_pause(campaign=campaign)
            paused += 1
        self.message_user(request, f"Paused {paused} campaign{'s' if paused != 1 else ''}.")


class ReviewForm(forms.ModelForm):
    class Meta:
        model = Creative
        fields = ["review_state", "review_reason"]

    def clean(self):
        data = super().clean()
        if (
            data.get("review_state") == Review.REJECTED
            and not (data.get("review_reason") or "").strip()
        ):
            raise ValidationError({"review_reason": "Say why: the advertiser sees this reason."})
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="The advertiser sees this, so say what to change.",
        error_messages={"required": "Say why: the advertiser sees this reason."},
    )


@admin.register(Creative)
class CreativeAdmin(admin.ModelAdmin):
    """The review queue: filter by "Waiting for review", then approve, or reject with a
    reason the advertiser sees."""

    form = ReviewForm
    list_display = ["headline", "preview", "advertiser", "campaign", "review_state", "updated_at"]
    list_filter = ["review_state"]
    search_fields = ["headline", "text", "campaign__name", "campaign__advertiser__name"]
    list_select_related = ["campaign__advertiser"]
    readonly_fields = [
        "campaign",
        "headline",
        "text",
        "link",
        "preview",
        "reviewed_by",
        "reviewed_at",
    ]
    fields = [*readonly_fields, "review_state", "review_reason"]
    actions = ["approve", "reject"]

    def get_ordering(self, request):
        return _waiting_first("review_state", Review.PENDING)

    @admin.display(description="advertiser")
    def advertiser(self, creative):
        return creative.campaign.advertiser

    @admin.display(description="ad")
    def preview(self, creative):
        image = (
            format_html(
                '<img src="{}" alt="" style="max-width:120px;display:block">', creative.image.url
            )
            if creative.image
            else ""
        )
        return format_html(
            '{}<strong>{}</strong><br>{}<br><a href="{}" rel="noopener noreferrer" '
            'target="_blank">{}</a>',
            image,
            creative.headline,
            creative.text,
            creative.link,
            creative.link,
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        state = form.cleaned_data["review_state"]
        if state == Review.PENDING:
            return
        try:
            services.creative_review(
                creative=obj,
                reviewer=request.user,
                approve=state == Review.APPROVED,
                reason=form.cleaned_data.get("review_reason", ""),
            )
        except (ValidationError, PermissionDenied) as refused:
            self.message_user(
                request, " ".join(getattr(refused, "messages", [str(refused)])), messages.ERROR
            )

    @admin.action(description="Approve the selected ads", permissions=["change"])
    def approve(self, request, queryset):
        for creative in queryset.select_related("campaign"):
            services.creative_review(creative=creative, reviewer=request.user, approve=True)
        self.message_user(request, f"Approved {queryset.count()} ad(s).")

    @admin.action(description="Reject the selected ads, with a reason…", permissions=["change"])
    def reject(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            for creative in queryset.select_related("campaign"):
                services.creative_review(
                    creative=creative,
                    reviewer=request.user,
                    approve=False,
                    reason=form.cleaned_data["reason"],
                )
            self.message_user(
                request, f"Rejected {queryset.count()} ad(s); the advertisers see why."
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Reject ads",
            "creatives": queryset,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "ads/admin/reject.html", context)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    """Every charged impression and click. Read-only: money moves only through billing."""

    list_display = ["created_at", "kind", "amount", "campaign", "person"]
    list_filter = ["kind"]
    search_fields = ["campaign__name"]
    list_select_related = ["campaign", "person"]
    date_hierarchy = "created_at"

    amount = _money("amount_micros", "amount")
    deletable = False


@admin.register(CampaignDay)
class CampaignDayAdmin(ReadOnlyAdmin):
    list_display = ["day", "campaign", "impressions", "clicks", "spent"]
    list_select_related = ["campaign"]
    date_hierarchy = "day"

    spent = _money("spent_micros", "spent")
    deletable = False
