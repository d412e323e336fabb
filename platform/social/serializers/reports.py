"""Reporting a post, a comment or a person, and the reporter's view of their reports."""

from rest_framework import serializers

from social.models import Report


class ReportCreateSerializer(serializers.Serializer):
    """Report exactly one of a post, a comment or a person."""

    reason = serializers.ChoiceField(
        choices=Report.Reason.choices,
        error_messages={"invalid_choice": "Choose a reason from the list."},
    )
    details = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    post = serializers.IntegerField(required=False, min_value=1)
    comment = serializers.IntegerField(required=False, min_value=1)
    username = serializers.CharField(required=False, max_length=150)

    def validate(self, data):
        targets = [name for name in ("post", "comment", "username") if data.get(name)]
        if len(targets) != 1:
            raise serializers.ValidationError(
                {"detail": "Report exactly one thing: a post, a comment or a username."}
            )
        return data


class ReportSerializer(serializers.ModelSerializer):
    target = serializers.CharField(source="target_kind", read_only=True)

    class Meta:
        model = Report
        fields = ["id", "reason", "details", "target", "status", "created_at"]
        read_only_fields = fields
