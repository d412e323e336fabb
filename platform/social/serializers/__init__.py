"""What the social API reads and writes. Input serializers check the shape of a request (types,
lengths, choices) with messages a person can act on; the rules themselves (who may do what,
visibility, rate limits) live in social.services and social.selectors. Output serializers only
read what the selectors loaded, so listing a page costs a fixed number of queries.

One module per area, all importable from here: `people`, `groups`, `posts`, `comments`,
`notifications`, `search`, `reports`; `fields` holds what they share.
"""

from social.serializers.comments import CommentCreateSerializer, CommentSerializer
from social.serializers.fields import absolute_url, text_field
from social.serializers.groups import (
    GroupCreateSerializer,
    GroupRefSerializer,
    GroupSerializer,
    JoinRequestDecisionResultSerializer,
    JoinRequestDecisionSerializer,
    JoinRequestSerializer,
    MemberSerializer,
)
from social.serializers.notifications import (
    MarkReadResultSerializer,
    MarkReadSerializer,
    NotificationSerializer,
    UnreadCountSerializer,
)
from social.serializers.people import (
    AuthorSerializer,
    PersonSerializer,
    ProfileCountsSerializer,
    ProfileSerializer,
    RelationshipSerializer,
)
from social.serializers.posts import (
    SHARE_COMMENT_MAX_LENGTH,
    ActivityPostSerializer,
    PostCreateSerializer,
    PostSerializer,
    PostUpdateSerializer,
    ReactionSerializer,
    ShareCreateSerializer,
    SharedBySerializer,
    TimelinePostSerializer,
)
from social.serializers.reports import ReportCreateSerializer, ReportSerializer
from social.serializers.search import (
    HashtagSerializer,
    SearchQuerySerializer,
    SearchResultsSerializer,
)

__all__ = [
    "SHARE_COMMENT_MAX_LENGTH",
    "ActivityPostSerializer",
    "AuthorSerializer",
    "CommentCreateSerializer",
    "CommentSerializer",
    "GroupCreateSerializer",
    "GroupRefSerializer",
    "GroupSerializer",
    "HashtagSerializer",
    "JoinRequestDecisionResultSerializer",
    "JoinRequestDecisionSerializer",
    "JoinRequestSerializer",
    "MarkReadResultSerializer",
    "MarkReadSerializer",
    "MemberSerializer",
    "NotificationSerializer",
    "PersonSerializer",
    "PostCreateSerializer",
    "PostSerializer",
    "PostUpdateSerializer",
    "ProfileCountsSerializer",
    "ProfileSerializer",
    "ReactionSerializer",
    "RelationshipSerializer",
    "ReportCreateSerializer",
    "ReportSerializer",
    "SearchQuerySerializer",
    "SearchResultsSerializer",
    "ShareCreateSerializer",
    "SharedBySerializer",
    "TimelinePostSerializer",
    "UnreadCountSerializer",
    "absolute_url",
    "text_field",
]
