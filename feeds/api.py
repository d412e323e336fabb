"""API: people to follow and groups to join (with reasons), and what is trending."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.renderers import TemplateHTMLRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from feeds import suggestions, trends
from social.api import with_cards
from social.serializers import GroupSerializer, PersonSerializer, PostSerializer

SOURCES = ["engaged", "friends", "similar", "topic", "popular"]


class SuggestionFields(serializers.Serializer):
    reason = serializers.CharField(help_text="Why it is suggested, in a few words.")
    reasons = serializers.ListField(
        child=serializers.CharField(), help_text="Every reason found, the first one shown."
    )
    source = serializers.ChoiceField(
        choices=SOURCES,
        help_text="Where the first reason comes from: your engagement, people you follow, the "
        "recommender's similar tastes, your favourite hashtags, or popularity.",
    )


class PersonSuggestionSerializer(SuggestionFields):
    person = PersonSerializer(source="target")


class GroupSuggestionSerializer(SuggestionFields):
    group = GroupSerializer(source="target")


class PeopleSuggestionsSerializer(serializers.Serializer):
    results = PersonSuggestionSerializer(many=True)


class GroupSuggestionsSerializer(serializers.Serializer):
    results = GroupSuggestionSerializer(many=True)


class LimitSerializer(serializers.Serializer):
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=50, default=10, help_text="How many, 1 to 50."
    )


class SuggestionsQuerySerializer(LimitSerializer):
    exclude = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        default=None,
        help_text="An id never to suggest (the profile or group being viewed).",
    )


class TrendingHashtagSerializer(serializers.Serializer):
    name = serializers.CharField()
    rank = serializers.IntegerField()
    score = serializers.FloatField(help_text="Time-decayed engagement with its recent posts.")


class TrendingPostSerializer(PostSerializer):
    rank = serializers.IntegerField(source="trend_rank", read_only=True)
    score = serializers.FloatField(source="trend_score", read_only=True)

    class Meta(PostSerializer.Meta):
        fields = [*PostSerializer.Meta.fields, "rank", "score"]
        read_only_fields = fields


class TrendsSerializer(serializers.Serializer):
    computed_at = serializers.DateTimeField(allow_null=True)
    hashtags = TrendingHashtagSerializer(many=True)
    posts = TrendingPostSerializer(many=True)


# The htmx fragment (`?format=html`) is for the site's own pages, not part of the API.
HTML_FORMAT = OpenApiParameter("format", exclude=True)


def _limit(request) -> int:
    data = LimitSerializer(data=request.query_params)
    data.is_valid(raise_exception=True)
    return data.validated_data["limit"]


class _SuggestionsView(APIView):
    """JSON for clients; with `?format=html`, the side card the pages load lazily with htmx
    (the same selection, rendered by the partial the template tags use)."""

    permission_classes = [permissions.IsAuthenticated]
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, TemplateHTMLRenderer]
    template_name = ""  # the partial; also what OPTIONS and errors render with in HTML
    serializer = None

    def find(self, viewer, *, limit, exclude):
        raise NotImplementedError

    def get(self, request):
        query = SuggestionsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = self.find(request.user, **query.validated_data)
        if request.accepted_renderer.format == "html":
            return Response({"suggestions": found}, template_name=self.template_name)
        data = self.serializer(found, many=True, context={"request": request}).data
        return Response({"results": data})


class SuggestedPeopleView(_SuggestionsView):
    """People you may want to follow, best first, each with the reason."""

    template_name = "feeds/_suggested_people.html"
    serializer = PersonSuggestionSerializer

    def find(self, viewer, *, limit, exclude):
        return suggestions.people_to_follow(viewer, limit=limit, exclude=exclude)

    @extend_schema(
        summary="People to follow, with reasons",
        parameters=[SuggestionsQuerySerializer, HTML_FORMAT],
        responses=PeopleSuggestionsSerializer,
    )
    def get(self, request):
        return super().get(request)


class SuggestedGroupsView(_SuggestionsView):
    """Groups you may want to join, best first, each with the reason."""

    template_name = "feeds/_suggested_groups.html"
    serializer = GroupSuggestionSerializer

    def find(self, viewer, *, limit, exclude):
        return suggestions.groups_to_join(viewer, limit=limit, exclude=exclude)

    @extend_schema(
        summary="Groups to join, with reasons",
        parameters=[SuggestionsQuerySerializer, HTML_FORMAT],
        responses=GroupSuggestionsSerializer,
    )
    def get(self, request):
        return super().get(request)


class TrendsView(APIView):
    """Trending hashtags and public posts, from time-decayed recent engagement."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Trending hashtags and posts",
        parameters=[LimitSerializer],
        responses=TrendsSerializer,
    )
    def get(self, request):
        limit = _limit(request)
        trending = trends.trending_for(request.user, hashtags=limit, posts=limit, cards=with_cards)
        data = {
            "computed_at": trending.computed_at,
            "hashtags": trending.hashtags,
            "posts": trending.posts,
        }
        return Response(TrendsSerializer(data, context={"request": request}).data)
