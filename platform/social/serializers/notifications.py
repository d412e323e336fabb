"""Notifications, marking them read, and the unread count."""

from rest_framework import serializers

from social.models import Notification
from social.serializers.groups import GroupRefSerializer
from social.serializers.people import AuthorSerializer


class NotificationSerializer(serializers.ModelSerializer):
    """One notification. Only ids of posts and comments: opening them goes through the same
    visibility rules as everything else."""

    actor = AuthorSerializer(read_only=True)
    message = serializers.CharField(source="get_verb_display", read_only=True)
    post_id = serializers.IntegerField(read_only=True, allow_null=True)
    comment_id = serializers.IntegerField(read_only=True, allow_null=True)
    group = GroupRefSerializer(read_only=True, allow_null=True)
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "verb",
            "message",
            "actor",
            "post_id",
            "comment_id",
            "group",
            "created_at",
            "read_at",
            "unread",
        ]
        read_only_fields = fields

    def get_unread(self, notification) -> bool:
        return notification.read_at is None


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=500,
        help_text="The notifications to mark read; leave out to mark all of them read.",
    )


class MarkReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were marked read.")
    unread_count = serializers.IntegerField()


class UnreadCountSerializer(serializers.Serializer):
    unread_count = serializers.IntegerField()
