"""API: search over posts, people, hashtags and groups.

`/api/search/?q=` answers the first few of each kind at once (for a live results box); the
per-kind endpoints page through one kind with a cursor.
"""

from django.db.models import Prefetch, prefetch_related_objects
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from social import search
from social.api import User, with_cards
from social.api_pagination import (
    HashtagPagination,
    PopularGroupsPagination,
    RankedPagination,
    UsernamePagination,
)
from social.serializers import (
    GroupSerializer,
    HashtagSerializer,
    PersonSerializer,
    PostSerializer,
    SearchQuerySerializer,
    SearchResultsSerializer,
)

QUERY = OpenApiParameter(
    "q", OpenApiTypes.STR, description="Words, #hashtag or @name (at most 100 characters)."
)


class SearchView(APIView):
    @extend_schema(
        summary="Search everything: the best few posts, people, hashtags and groups",
        parameters=[SearchQuerySerializer],
        responses=SearchResultsSerializer,
    )
    def get(self, request):
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        results = search.search_all(
            request.user, params.validated_data["q"], limit=params.validated_data["limit"]
        )
        prefetch_related_objects(
            results["posts"], Prefetch("mentions", queryset=User.objects.only("id", "username"))
        )
        shown = sum(len(results[k]) for k in ("posts", "people", "hashtags", "groups"))
        search.record_search(request.user, results["query"], result_count=shown, surface="api")
        return Response(SearchResultsSerializer(results, context={"request": request}).data)


class _SearchList(generics.ListAPIView):
    def query(self) -> str:
        params = SearchQuerySerializer(data={"q": self.request.query_params.get("q", "")})
        params.is_valid(raise_exception=True)
        return search.clean_query(params.validated_data["q"])


@extend_schema(summary="Search posts, best match first", parameters=[QUERY])
class SearchPostsView(_SearchList):
    serializer_class = PostSerializer
    pagination_class = RankedPagination

    def get_queryset(self):
        return with_cards(search.search_posts(self.request.user, self.query()))


@extend_schema(summary="Search people by username or display name", parameters=[QUERY])
class SearchPeopleView(_SearchList):
    serializer_class = PersonSerializer
    pagination_class = UsernamePagination

    def get_queryset(self):
        return search.search_people(self.request.user, self.query())


@extend_schema(summary="Search hashtags by their start, the most used first", parameters=[QUERY])
class SearchHashtagsView(_SearchList):
    serializer_class = HashtagSerializer
    pagination_class = HashtagPagination

    def get_queryset(self):
        return search.search_hashtags(self.query())


@extend_schema(summary="Search groups by name or description", parameters=[QUERY])
class SearchGroupsView(_SearchList):
    serializer_class = GroupSerializer
    pagination_class = PopularGroupsPagination

    def get_queryset(self):
        return search.search_groups(self.request.user, self.query())
