"""Groups, their members and join requests, and what creating a group or deciding a request
takes."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from social.models import Group, Membership
from social.serializers.people import AuthorSerializer


class GroupRefSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)


class GroupSerializer(serializers.ModelSerializer):
    owner = AuthorSerializer(read_only=True)
    viewer_state = serializers.SerializerMethodField(
        help_text="The signed-in person's membership: active, pending or null."
    )

    class Meta:
        model = Group
        fields = [
            "slug",
            "name",
            "description",
            "privacy",
            "owner",
            "member_count",
            "created_at",
            "viewer_state",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Membership.State.choices, allow_null=True))
    def get_viewer_state(self, group):
        return getattr(group, "viewer_state", None)


class GroupCreateSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=80,
        error_messages={
            "blank": "Give the group a name.",
            "required": "Give the group a name.",
            "max_length": "A group name can be at most 80 characters.",
        },
    )
    description = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )
    privacy = serializers.ChoiceField(
        choices=Group.Privacy.choices,
        default=Group.Privacy.PUBLIC,
        error_messages={"invalid_choice": "Choose public or private."},
    )


class MemberSerializer(serializers.ModelSerializer):
    user = AuthorSerializer(read_only=True)
    joined_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Membership
        fields = ["user", "role", "joined_at"]
        read_only_fields = fields


class JoinRequestSerializer(serializers.ModelSerializer):
    user = AuthorSerializer(read_only=True)
    requested_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Membership
        fields = ["user", "requested_at"]
        read_only_fields = fields


class JoinRequestDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(
        help_text="true lets the person in; false turns the request down."
    )


class JoinRequestDecisionResultSerializer(serializers.Serializer):
    username = serializers.CharField()
    approved = serializers.BooleanField()
    member_count = serializers.IntegerField()
