"""Reads of the social graph. Every list of posts goes through `visible_posts`, so hidden
posts, suspended authors, blocks and private groups are enforced in one place."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from flywheel.errors import NotFound
from flywheel.prepared import IntArray, prepared_cursor
from social.models import (
    Block,
    Comment,
    Follow,
    Group,
    Hashtag,
    Like,
    Membership,
    Mute,
    Notification,
    Post,
    Share,
)

User = get_user_model()


def _authenticated(viewer) -> bool:
    return viewer is not None and viewer.is_authenticated


def is_blocked_between(a, b) -> bool:
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


def member_group_ids(viewer):
    return Membership.objects.filter(user=viewer, state=Membership.State.ACTIVE).values("group_id")


def _viewer_id(viewer) -> int | None:
    """The viewer's id for the statements' %(viewer)s; None (no one) when signed out."""
    return viewer.pk if _authenticated(viewer) else None


def _visible_to(viewer) -> QuerySet[Post]:
    """The one rule of who may see a post: not hidden, by an active author, outside private
    groups unless the viewer is a member, and no block between the two either way."""
    posts = Post.objects.filter(is_hidden=False, author__is_active=True)
    if not _authenticated(viewer):
        return posts.filter(Q(group__isnull=True) | Q(group__privacy=Group.Privacy.PUBLIC))
    return posts.filter(
        Q(group__isnull=True)
        | Q(group__privacy=Group.Privacy.PUBLIC)
        | Q(group_id__in=member_group_ids(viewer))
    ).exclude(author_id__in=_block_list(viewer))


POST_IDS = range(1, 2**63)  # the id column's range: anything else names no post


def visible_post_authors(viewer, ids) -> dict[int, int]:
    """{post: author} of these post ids the viewer may see, in one lean query (every beacon
    batch asks: on PostgreSQL a statement prepared once per connection)."""
    ids = sorted(pk for pk in {int(pk) for pk in ids} if pk in POST_IDS)
    if not ids:
        return {}
    if connection.vendor != "postgresql":
        return dict(_visible_to(viewer).filter(pk__in=ids).values_list("pk", "author_id"))
    with prepared_cursor() as cursor:
        cursor.execute(VISIBLE_AUTHORS_SQL, {"viewer": _viewer_id(viewer), "ids": IntArray(ids)})
        return dict(cursor.fetchall())


# `_visible_to` as SQL, for statements prepared once and run with the viewer's id as
# %(viewer)s: posts `p`, their authors `u` and groups `g` (LEFT JOIN). The same rule, tested
# to agree (tests/feeds/test_candidate_pool.py); the ORM form is the one to read.
VISIBLE_POST_SQL = """
    NOT p.is_hidden AND u.is_active
    AND (p.group_id IS NULL OR g.privacy = 'public' OR EXISTS (
        SELECT 1 FROM social_membership m
        WHERE m.group_id = p.group_id AND m.user_id = %(viewer)s AND m.state = 'active'))
    AND NOT EXISTS (
        SELECT 1 FROM social_block b
        WHERE (b.blocker_id = %(viewer)s AND b.blocked_id = p.author_id)
           OR (b.blocker_id = p.author_id AND b.blocked_id = %(viewer)s))
"""


VISIBLE_AUTHORS_SQL = f"""
SELECT p.id, p.author_id FROM social_post p JOIN accounts_user u ON u.id = p.author_id
LEFT JOIN social_group g ON g.id = p.group_id
WHERE p.id = ANY(%(ids)s) AND {VISIBLE_POST_SQL}
"""
BLOCKED_AND_VISIBLE_SQL = f"""
SELECT EXISTS (SELECT 1 FROM social_block b
               WHERE (b.blocker_id = %(viewer)s AND b.blocked_id = %(author)s)
                  OR (b.blocker_id = %(author)s AND b.blocked_id = %(viewer)s)),
       EXISTS (SELECT 1 FROM social_post p JOIN accounts_user u ON u.id = p.author_id
               LEFT JOIN social_group g ON g.id = p.group_id
               WHERE p.id = %(post)s AND {VISIBLE_POST_SQL})
"""


def blocked_and_visible(viewer, post: Post) -> tuple[bool, bool]:
    """Is there a block between the viewer and the post's author, and may the viewer see the
    post now? Asked before every like, share and comment: in one statement prepared once per
    connection on PostgreSQL."""
    if connection.vendor != "postgresql":
        visible = _visible_to(viewer).filter(pk=post.pk).exists()
        return is_blocked_between(viewer, post.author_id), visible
    with prepared_cursor() as cursor:
        cursor.execute(
            BLOCKED_AND_VISIBLE_SQL,
            {"viewer": viewer.pk, "author": post.author_id, "post": post.pk},
        )
        blocked, visible = cursor.fetchone()
    return blocked, visible


def visible_post_ids(viewer, ids) -> set[int]:
    """Which of these post ids the viewer may see (`visible_post_authors`' statement)."""
    return set(visible_post_authors(viewer, ids))


def post_image_visible_to(viewer, name: str) -> bool:
    """May the viewer see this stored post image? Exactly when they may see its post."""
    return _visible_to(viewer).filter(image=name).exists()


def visible_posts(viewer) -> QuerySet[Post]:
    """Posts the viewer may see, with what cards need loaded in a fixed number of queries."""
    posts = _visible_to(viewer)
    if _authenticated(viewer):
        posts = posts.annotate(
            viewer_liked=Exists(Like.objects.filter(post=OuterRef("pk"), user=viewer)),
            viewer_shared=Exists(Share.objects.filter(post=OuterRef("pk"), user=viewer)),
        )
    else:
        posts = posts.annotate(viewer_liked=Value(False), viewer_shared=Value(False))
    return posts.select_related("author", "group")


def _block_list(viewer) -> list[int]:
    # A short list of ids is cheaper for the planner than a UNION subquery in every filter.
    pairs = Block.objects.filter(Q(blocker=viewer) | Q(blocked=viewer)).values_list(
        "blocker_id", "blocked_id"
    )
    return [blocked if blocker == viewer.pk else blocker for blocker, blocked in pairs]


POST_NOT_FOUND = "That post does not exist or is not visible to you."


def post_visible_to(viewer, post_id) -> Post:
    try:
        return visible_posts(viewer).get(pk=post_id)
    except (Post.DoesNotExist, ValueError, TypeError):
        raise NotFound(POST_NOT_FOUND) from None


def home_timeline(viewer, *, also=()) -> QuerySet[Post]:
    """Posts by the people the viewer follows, the viewer, their groups, and what the people
    they follow shared, newest activity first. Muted people are left out. `also`, querysets
    of post ids, adds more sources (a newcomer's warm start, feeds.warm)."""
    followees = Follow.objects.filter(follower=viewer).values("followee_id")
    muted = Mute.objects.filter(muter=viewer).values("muted_id")
    shares = Share.objects.filter(user_id__in=followees, user__is_active=True).exclude(
        user_id__in=muted
    )
    posts = _with_latest_share(visible_posts(viewer), shares)
    # One set of post ids from per-source index scans (author, group, shares), not an OR of
    # the sources: the OR made the database scan every post there is on each first page.
    unordered = Post.objects.order_by()
    sources = (
        unordered.filter(author_id__in=followees)
        .values("id")
        .union(
            unordered.filter(author=viewer).values("id"),
            unordered.filter(group_id__in=member_group_ids(viewer)).values("id"),
            shares.order_by().values("post_id"),
            *also,
        )
    )
    return _newest_activity_first(posts.filter(pk__in=sources).exclude(author_id__in=muted))


def _with_latest_share(posts, shares):
    """Each post with the latest of `shares` of it: when, by whom, and with what comment
    (cards show "@x shared" above the post)."""
    latest_share = shares.filter(post=OuterRef("pk")).order_by("-created_at")
    return posts.annotate(
        shared_at=Subquery(latest_share.values("created_at")[:1]),
        shared_by_username=Subquery(latest_share.values("user__username")[:1]),
        shared_comment=Subquery(latest_share.values("comment")[:1]),
    )


def _newest_activity_first(posts):
    """Order by a post's own time or its share's (`_with_latest_share`), whichever is later."""
    return posts.annotate(
        activity_at=Greatest("created_at", Coalesce("shared_at", "created_at"))
    ).order_by("-activity_at", "-id")


def explore_posts(viewer) -> QuerySet[Post]:
    """Recent public posts from everyone (group posts only from public groups)."""
    posts = visible_posts(viewer).filter(
        Q(group__isnull=True) | Q(group__privacy=Group.Privacy.PUBLIC)
    )
    if _authenticated(viewer):
        posts = posts.exclude(author_id__in=Mute.objects.filter(muter=viewer).values("muted_id"))
    return posts.order_by("-id")


def profile_posts(viewer, author) -> QuerySet[Post]:
    return visible_posts(viewer).filter(author=author).order_by("-id")


def profile_activity(viewer, author) -> QuerySet[Post]:
    """What a profile page lists: the person's posts and the posts they shared (with their
    comment), newest activity first; only posts the viewer may see."""
    shares = Share.objects.filter(user=author)
    unordered = Post.objects.order_by()
    sources = unordered.filter(author=author).values("id").union(shares.values("post_id"))
    posts = _with_latest_share(visible_posts(viewer), shares).filter(pk__in=sources)
    return _newest_activity_first(posts)


def hashtag_posts(viewer, name: str) -> QuerySet[Post]:
    return visible_posts(viewer).filter(hashtags__name=name.lower()).order_by("-id")


def group_posts(viewer, group: Group) -> QuerySet[Post]:
    if not can_see_group_content(viewer, group):
        return Post.objects.none()
    return visible_posts(viewer).filter(group=group).order_by("-id")


def comments_for(viewer, post: Post) -> QuerySet[Comment]:
    comments = Comment.objects.filter(post=post, is_hidden=False, author__is_active=True)
    if _authenticated(viewer):
        comments = comments.exclude(author_id__in=_block_list(viewer))
    return comments.select_related("author").order_by("id")


def user_by_username(viewer, username: str):
    """An active person the viewer may see (people who blocked the viewer are not found)."""
    try:
        person = User.objects.get(username__iexact=username, is_active=True)
    except User.DoesNotExist:
        raise NotFound(f"There is no one called @{username[:40]} here.") from None
    if _authenticated(viewer) and Block.objects.filter(blocker=person, blocked=viewer).exists():
        raise NotFound(f"There is no one called @{username[:40]} here.")
    return person


RELATIONSHIP_SQL = """
SELECT EXISTS (SELECT 1 FROM social_follow WHERE follower_id = %(viewer)s
                                            AND followee_id = %(person)s),
       EXISTS (SELECT 1 FROM social_follow WHERE follower_id = %(person)s
                                            AND followee_id = %(viewer)s),
       EXISTS (SELECT 1 FROM social_block WHERE blocker_id = %(viewer)s
                                           AND blocked_id = %(person)s),
       EXISTS (SELECT 1 FROM social_mute WHERE muter_id = %(viewer)s AND muted_id = %(person)s)
"""
RELATIONSHIP = ("following", "followed_by", "blocking", "muting")


def relationship(viewer, person) -> dict:
    """How the viewer stands with a person, for the buttons on a profile (on PostgreSQL one
    statement prepared once per connection: every follow, block and mute answers with it)."""
    if not _authenticated(viewer) or viewer.pk == person.pk:
        return dict.fromkeys(RELATIONSHIP, False)
    if connection.vendor == "postgresql":
        with prepared_cursor() as cursor:
            cursor.execute(RELATIONSHIP_SQL, {"viewer": viewer.pk, "person": person.pk})
            return dict(zip(RELATIONSHIP, cursor.fetchone(), strict=True))
    return {
        "following": Follow.objects.filter(follower=viewer, followee=person).exists(),
        "followed_by": Follow.objects.filter(follower=person, followee=viewer).exists(),
        "blocking": Block.objects.filter(blocker=viewer, blocked=person).exists(),
        "muting": Mute.objects.filter(muter=viewer, muted=person).exists(),
    }


PROFILE_STATS_SQL = f"""
SELECT (SELECT COUNT(*) FROM social_post p JOIN accounts_user u ON u.id = p.author_id
        LEFT JOIN social_group g ON g.id = p.group_id
        WHERE p.author_id = %(person)s AND {VISIBLE_POST_SQL}),
       (SELECT COUNT(*) FROM social_follow f JOIN accounts_user u ON u.id = f.follower_id
        WHERE f.followee_id = %(person)s AND u.is_active),
       (SELECT COUNT(*) FROM social_follow f JOIN accounts_user u ON u.id = f.followee_id
        WHERE f.follower_id = %(person)s AND u.is_active)
"""


def profile_stats(person, *, viewer) -> dict:
    """Counts on a profile; posts only those the viewer may see, so a private group's
    activity is not revealed by a number. On PostgreSQL one statement prepared once per
    connection (a profile, the home page's own counts, and every follow's answer)."""
    if connection.vendor == "postgresql":
        with prepared_cursor() as cursor:
            cursor.execute(PROFILE_STATS_SQL, {"viewer": _viewer_id(viewer), "person": person.pk})
            return dict(zip(("posts", "followers", "following"), cursor.fetchone(), strict=True))
    return {
        "posts": post_count(person, viewer=viewer),
        "followers": Follow.objects.filter(followee=person, follower__is_active=True).count(),
        "following": Follow.objects.filter(follower=person, followee__is_active=True).count(),
    }


def post_count(person, *, viewer) -> int:
    return visible_posts(viewer).filter(author=person).count()


def people_visible_to(viewer, queryset):
    """Active people, minus blocks either way, with whether the viewer follows each."""
    queryset = queryset.filter(is_active=True)
    if _authenticated(viewer):
        queryset = queryset.exclude(pk__in=_block_list(viewer)).annotate(
            viewer_follows=Exists(Follow.objects.filter(follower=viewer, followee=OuterRef("pk")))
        )
    else:
        queryset = queryset.annotate(viewer_follows=Value(False))
    return queryset


def followers_of(viewer, person):
    return people_visible_to(viewer, User.objects.filter(following_set__followee=person)).order_by(
        "-following_set__created_at", "-id"
    )


def following_of(viewer, person):
    return people_visible_to(viewer, User.objects.filter(follower_set__follower=person)).order_by(
        "-follower_set__created_at", "-id"
    )


def groups_list(viewer) -> QuerySet[Group]:
    """Every group (private ones show their name and description, not their posts)."""
    groups = Group.objects.select_related("owner")
    if _authenticated(viewer):
        groups = groups.annotate(
            viewer_state=Subquery(
                Membership.objects.filter(group=OuterRef("pk"), user=viewer).values("state")[:1]
            )
        )
    else:
        groups = groups.annotate(viewer_state=Value(None, output_field=CharField()))
    return groups.order_by("-member_count", "name")


def group_by_slug(viewer, slug: str) -> Group:
    try:
        return groups_list(viewer).get(slug=slug)
    except Group.DoesNotExist:
        raise NotFound(f"There is no group “{slug[:60]}”.") from None


def membership_of(viewer, group) -> Membership | None:
    if not _authenticated(viewer):
        return None
    return Membership.objects.filter(group=group, user=viewer).first()


def can_see_group_content(viewer, group: Group) -> bool:
    if not group.is_private:
        return True
    membership = membership_of(viewer, group)
    return membership is not None and membership.state == Membership.State.ACTIVE


def group_members(viewer, group: Group):
    if not can_see_group_content(viewer, group):
        return Membership.objects.none()
    return (
        Membership.objects.filter(group=group, state=Membership.State.ACTIVE, user__is_active=True)
        .select_related("user")
        .order_by("-role", "created_at")
    )


def group_requests(group: Group):
    return (
        Membership.objects.filter(group=group, state=Membership.State.PENDING)
        .select_related("user")
        .order_by("created_at")
    )


def notifications_for(user) -> QuerySet[Notification]:
    """The person's notifications, minus those from suspended or blocked people and those
    about posts or comments a moderator hid."""
    return (
        Notification.objects.filter(recipient=user, actor__is_active=True)
        .exclude(actor_id__in=_block_list(user))
        .exclude(post__is_hidden=True)
        .exclude(comment__is_hidden=True)
        .select_related("actor", "post", "group", "comment")
        .order_by("-id")
    )


def unread_notification_count(user) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()


def hashtag_by_name(name: str) -> Hashtag:
    try:
        return Hashtag.objects.get(name=name.lower())
    except Hashtag.DoesNotExist:
        raise NotFound(f"No posts use #{name[:60]} yet.") from None
