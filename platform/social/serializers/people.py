"""People as the API shows them: next to their content, in lists, and on their profile."""

from rest_framework import serializers

from social.serializers.fields import absolute_url


class AuthorSerializer(serializers.Serializer):
    """A person as shown next to their content."""

    username = serializers.CharField(read_only=True)
    display_name = serializers.CharField(
        source="name", read_only=True, help_text="The display name, or the username if unset."
    )
    avatar_url = serializers.SerializerMethodField()

    def get_avatar_url(self, user) -> str | None:
        return absolute_url(self.context, user.avatar)


class PersonSerializer(AuthorSerializer):
    """A person in a list (followers, following, search results)."""

    bio = serializers.CharField(read_only=True)
    viewer_follows = serializers.SerializerMethodField(
        help_text="Whether the signed-in person follows them."
    )

    def get_viewer_follows(self, user) -> bool:
        return bool(getattr(user, "viewer_follows", False))


class ProfileCountsSerializer(serializers.Serializer):
    posts = serializers.IntegerField()
    followers = serializers.IntegerField()
    following = serializers.IntegerField()


class RelationshipSerializer(serializers.Serializer):
    """How the signed-in person stands with this one (all false when signed out)."""

    following = serializers.BooleanField()
    followed_by = serializers.BooleanField()
    blocking = serializers.BooleanField()
    muting = serializers.BooleanField()


class ProfileSerializer(AuthorSerializer):
    """A profile page's worth: the person, their counts and the viewer's relationship."""

    bio = serializers.CharField(read_only=True)
    is_bot = serializers.BooleanField(read_only=True)
    date_joined = serializers.DateTimeField(read_only=True)
    counts = ProfileCountsSerializer(read_only=True)
    relationship = RelationshipSerializer(read_only=True)
