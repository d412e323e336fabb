"""Comments as the API shows them, and what writing one takes."""

from rest_framework import serializers

from social.models import COMMENT_MAX_LENGTH, Comment
from social.serializers.fields import surface_field, text_field
from social.serializers.people import AuthorSerializer
from social.text import render_text


class CommentSerializer(serializers.ModelSerializer):
    author = AuthorSerializer(read_only=True)
    post_id = serializers.IntegerField(read_only=True)
    html = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "post_id", "author", "text", "html", "created_at"]
        read_only_fields = fields

    def get_html(self, comment) -> str:
        return str(render_text(comment.text))


class CommentCreateSerializer(serializers.Serializer):
    text = text_field(limit=COMMENT_MAX_LENGTH, what="comment")
    surface = surface_field()
