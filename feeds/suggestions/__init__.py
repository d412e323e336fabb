"""People to follow and groups to join, each with a short reason that is true.

People come from four sources, blended into one score:
- engaged: authors of posts the viewer liked, shared, commented on or dwelt on (their own
  events, unlikes and unshares cancelling), "you liked 3 of their posts";
- friends: people followed by people the viewer follows, "followed by @ana and 2 others you
  follow";
- similar: people whose vectors in the active model are close to the viewer's (cosine over
  the user factors; only people the model has a row for), "similar taste to yours";
- popular: the most followed people, only to fill the list for someone new.

Groups come from the viewer's engaged posts ("you liked 3 of its posts"), the public groups
of the people they follow (private groups keep their members to themselves), public groups
with many posts about the viewer's favourite hashtags ("popular in #jazz") and the largest
groups. Private groups appear only where the groups list shows them anyway: by name and
member count.

Excluded: the viewer, people they follow or muted, blocks either way, suspended people,
groups they are in or asked to join. Every source is one bounded query, so a suggestion list
costs a fixed number of queries whatever the size of the graph.

`people` and `groups` build the two lists; `engagement` reads what the viewer engaged with;
`blend` adds the sources up into one ranking with its reasons.
"""

from feeds.suggestions.blend import Suggestion
from feeds.suggestions.engagement import Engagement, engagement_of
from feeds.suggestions.groups import groups_to_join
from feeds.suggestions.people import people_to_follow, similar_people

__all__ = [
    "Engagement",
    "Suggestion",
    "engagement_of",
    "groups_to_join",
    "people_to_follow",
    "similar_people",
]
