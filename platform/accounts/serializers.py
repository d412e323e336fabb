from rest_framework import serializers

from accounts.models import AgeBracket, Region, User


class SignupSerializer(serializers.Serializer):
    username = serializers.RegexField(
        r"^[A-Za-z0-9_]{3,30}$",
        max_length=30,
        error_messages={"invalid": "Use 3 to 30 letters, digits or underscores, with no spaces."},
    )
    password = serializers.CharField(write_only=True, min_length=8, max_length=128)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    display_name = serializers.CharField(required=False, allow_blank=True, max_length=60)
    bio = serializers.CharField(required=False, allow_blank=True, max_length=300)
    age_bracket = serializers.ChoiceField(choices=AgeBracket.choices, required=False)
    region = serializers.ChoiceField(choices=Region.choices, required=False)
    interests = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=20
    )


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, write_only=True)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Bearer <token>`.")
    token_type = serializers.CharField()
    expires_at = serializers.DateTimeField()
    scope = serializers.CharField()
    username = serializers.CharField()


class AccessTokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    application = serializers.CharField(source="application.name", default="")
    scope = serializers.CharField()
    created = serializers.DateTimeField()
    expires = serializers.DateTimeField()
    current = serializers.SerializerMethodField(help_text="The token making this request.")

    def get_current(self, token) -> bool:
        return getattr(self.context["request"].auth, "pk", None) == token.pk


class ClearableImageField(serializers.ImageField):
    """An image to upload (multipart); an empty value or null removes the current one, in
    JSON as in a form."""

    def to_internal_value(self, data):
        if data in ("", None):
            return None
        return super().to_internal_value(data)


class MeSerializer(serializers.ModelSerializer):
    """The signed-in person's own profile and privacy switches."""

    avatar = ClearableImageField(
        required=False,
        allow_null=True,
        help_text="A picture (multipart upload); empty or null removes it.",
    )

    interests = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=20
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "display_name",
            "bio",
            "avatar",
            "age_bracket",
            "region",
            "interests",
            "is_bot",
            "personalised_feed",
            "personalised_ads",
            "date_joined",
        ]
        read_only_fields = ["id", "username", "is_bot", "date_joined"]
