"""Staff console for the feeds app: model versions (compare, roll back, retrain), the feed
experiment's arms, and trends (read-only: a periodic task computes them)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

from feeds import registry, training
from feeds.evaluation import NDCG, RECALL
from feeds.models import FeedArm, ModelVersion, Trend
from flywheel.admin import ReadOnlyAdmin


def _pair(version: ModelVersion, name: str) -> str:
    model = (version.metrics.get("model") or {}).get(name)
    baseline = (version.metrics.get("baseline") or {}).get(name)
    if model is None:
        return "-"
    return f"{model:.3f} / {baseline:.3f}"


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyAdmin):
    """Versions are written by training runs, never by hand; staff compare them, roll back
    (activate an older one) and start a run."""

    list_display = [
        "__str__", "state", "recall", "ndcg", "coverage", "auc", "data_size", "train_seconds",
        "fit_start", "triggered_by", "created_at",
    ]  # fmt: skip
    list_filter = ["kind", "state", "triggered_by"]
    actions = ["activate_version", "retrain_now"]
    readonly_fields = ["metrics_side_by_side"]
    exclude = ["metrics"]

    @admin.display(description=f"{RECALL} (model / popular)")
    def recall(self, version):
        return _pair(version, RECALL)

    @admin.display(description=f"{NDCG} (model / popular)")
    def ndcg(self, version):
        return _pair(version, NDCG)

    @admin.display(description="coverage (model / popular)")
    def coverage(self, version):
        return _pair(version, "coverage")

    @admin.display(description="AUC (ad targeter / targeting only)")
    def auc(self, version):
        return _pair(version, "auc")

    @admin.display(description="data")
    def data_size(self, version):
        return f"{version.users:,} x {version.items:,}, {version.nonzeros:,} nnz"

    @admin.display(description="evaluation")
    def metrics_side_by_side(self, version):
        def figure(value):
            return "-" if value is None else f"{value:.4f}"

        rows = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (name, figure(ours), figure(baseline), figure(champion))
                for name, ours, baseline, champion in registry.metric_rows(version)
            ),
        )
        metrics = version.metrics
        champion = (metrics.get("champion") or {}).get("version")
        return format_html(
            "<table><tr><th>metric</th><th>this version</th><th>{} baseline</th>"
            "<th>active then{}</th></tr>{}</table><p>{} evaluated, {} held out; "
            "seconds per stage: {}</p>",
            registry.baseline_label(version.kind),
            f" (v{champion})" if champion else "",
            rows,
            metrics.get("eval_users", metrics.get("eval_pairs", 0)),
            metrics.get("held_out", metrics.get("held_out_clicks", 0)),
            metrics.get("seconds", {}),
        )

    deletable = False  # a row holds the only record of what its artifact was

    @admin.action(description="Activate (rollback) the selected version", permissions=["operate"])
    def activate_version(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one version.", messages.ERROR)
            return
        try:
            version = registry.version_activate(queryset.get().pk)
        except ValidationError as refused:
            self.message_user(request, " ".join(refused.messages), messages.ERROR)
        else:
            self.message_user(request, f"Activated v{version.pk}: it serves now.")

    @admin.action(
        description="Retrain now (the kind of the selected versions)", permissions=["operate"]
    )
    def retrain_now(self, request, queryset):
        for kind in sorted(set(queryset.values_list("kind", flat=True))):
            try:
                version = registry.trainer(kind).training_request(
                    kind=kind, triggered_by=f"staff:{request.user.username}"
                )
            except (registry.AlreadyRunning, training.NotBuilt) as refused:
                self.message_user(request, f"Not started: {refused}", messages.WARNING)
            else:
                self.message_user(request, f"Queued v{version.pk} for training.")


class FeedArmForm(forms.ModelForm):
    class Meta:
        model = FeedArm
        fields = ["name", "strategy", "weight", "is_control", "blend"]

    def clean_blend(self):
        blend = self.cleaned_data["blend"] or {}
        if not isinstance(blend, dict) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and v >= 0
            for v in blend.values()
        ):
            raise ValidationError(
                "The blend is a mapping of candidate source to a weight of 0 or more, "
                'for example {"model": 1.0, "following": 0.5}.'
            )
        return blend


@admin.register(FeedArm)
class FeedArmAdmin(admin.ModelAdmin):
    form = FeedArmForm
    list_display = ["name", "strategy", "weight", "is_control", "blend"]
    list_editable = ["weight"]


@admin.register(Trend)
class TrendAdmin(ReadOnlyAdmin):
    list_display = ["kind", "rank", "hashtag", "post", "score", "computed_at"]
    list_filter = ["kind"]
    list_select_related = ["hashtag", "post"]
    deletable = False
