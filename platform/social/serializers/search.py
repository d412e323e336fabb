"""A search query and its results: posts, people, hashtags and groups."""

from rest_framework import serializers

from social.serializers.groups import GroupSerializer
from social.serializers.people import PersonSerializer
from social.serializers.posts import PostSerializer


class HashtagSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    post_count = serializers.IntegerField(read_only=True)


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Words, #hashtag or @name. Posts use full-text search with ranking.",
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=50,
        default=10,
        help_text="How many of each kind to return (the per-kind endpoints page further).",
    )


class SearchResultsSerializer(serializers.Serializer):
    query = serializers.CharField()
    posts = PostSerializer(many=True)
    people = PersonSerializer(many=True)
    hashtags = HashtagSerializer(many=True)
    groups = GroupSerializer(many=True)
