"""The staff console for the social core: every model, and the report review queue.

Actions are thin: they call the moderation services, so hiding a post from the admin does
exactly what hiding it anywhere else does. Rows whose counters the services keep (likes,
shares, memberships) are read-only here, so an edit in the admin cannot make a count lie.

One module per area (`posts`, `graph`, `groups`, `notifications`, `reports`), each
registering its admins when imported here; `display` holds the helpers they share.
"""

from social.admin import graph, groups, notifications, posts, reports  # noqa: F401 - registers them
