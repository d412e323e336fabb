"""Flywheel's rows as Mastodon's entities (docs.joinmastodon.org/entities/): Account, Status,
MediaAttachment, Relationship, Tag, Notification.

How Flywheel maps onto them:
- A post is a Status; a comment is a Status too, a reply to its post (`in_reply_to_id`), with
  the id `c<comment id>` so the two kinds never collide (Mastodon ids are opaque strings).
- A share is a boost: `reblogs_count` and `reblogged` on the post; in a person's statuses
  (accounts/:id/statuses) each of their shares is a status of its own, id `s<share id>`,
  whose `reblog` is the post (`reblog_status`). A share's comment is that status' content
  (Mastodon has no quotes; clients show the boosted post). Elsewhere `reblog` is null.
- Visibility: a post in a private group is `private` (members only), every other post
  `public`. Flywheel has no unlisted or direct posts.
- Each Status carries `flywheel`: why the home feed placed it (reason, arm, model version,
  position, who shared it). Clients that do not know the field ignore it.
"""

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db.models import Count
from django.templatetags.static import static
from django.urls import reverse

from social.models import Comment, Follow, Group, Post, Share
from social.text import render_text

User = get_user_model()
COMMENT_PREFIX = "c"
REBLOG_PREFIX = "s"


def iso(moment) -> str | None:
    if moment is None:
        return None
    return moment.isoformat().replace("+00:00", "Z")


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


def file_url(request, name) -> str | None:
    return absolute(request, default_storage.url(name)) if name else None


def html(request, text: str, known: set[str]) -> str:
    """Flywheel's rendering of a text, in a paragraph, with absolute links."""
    rendered = str(render_text(text, known))
    base = request.build_absolute_uri("/").rstrip("/")
    return "<p>" + rendered.replace('href="/', f'href="{base}/') + "</p>"


# --- accounts ------------------------------------------------------------------------


def account_counts(users) -> dict[int, dict]:
    """Followers, following and posts of these people, in three queries."""
    ids = [user.pk for user in users]
    counts = {pk: {"followers": 0, "following": 0, "posts": 0} for pk in ids}
    for pk, n in (
        Follow.objects.filter(followee_id__in=ids).values_list("followee_id").annotate(Count("id"))
    ):
        counts[pk]["followers"] = n
    for pk, n in (
        Follow.objects.filter(follower_id__in=ids).values_list("follower_id").annotate(Count("id"))
    ):
        counts[pk]["following"] = n
    visible = Post.objects.filter(author_id__in=ids, is_hidden=False, group__isnull=True)
    for pk, n in visible.values_list("author_id").annotate(Count("id")):
        counts[pk]["posts"] = n
    return counts


def accounts(request, users) -> list[dict]:
    users = list(users)
    counts = account_counts(users)
    return [account(request, user, counts=counts.get(user.pk)) for user in users]


def account(request, user, *, counts: dict | None = None) -> dict:
    if counts is None:
        counts = account_counts([user])[user.pk]
    profile = absolute(request, reverse("social:profile", args=[user.username]))
    avatar = file_url(request, user.avatar) or absolute(request, static("img/flywheel.svg"))
    return {
        "id": str(user.pk),
        "username": user.username,
        "acct": user.username,
        "display_name": user.display_name or user.username,
        "locked": False,
        "bot": bool(user.is_bot),
        "discoverable": True,
        "group": False,
        "noindex": False,
        "created_at": iso(user.date_joined),
        "note": html(request, user.bio, set()) if user.bio else "",
        "url": profile,
        "uri": profile,
        "avatar": avatar,
        "avatar_static": avatar,
        "header": "",
        "header_static": "",
        "followers_count": counts["followers"],
        "following_count": counts["following"],
        "statuses_count": counts["posts"],
        "last_status_at": None,
        "emojis": [],
        "fields": [],
    }


def credential_account(request, user) -> dict:
    """verify_credentials: the Account with `source`, the raw text the person edits."""
    data = account(request, user)
    data["source"] = {
        "note": user.bio,
        "fields": [],
        "privacy": "public",
        "sensitive": False,
        "language": None,
        "follow_requests_count": 0,
    }
    return data


def relationship(user_id: int, standing: dict) -> dict:
    return {
        "id": str(user_id),
        "following": standing["following"],
        "showing_reblogs": standing["following"],
        "notifying": False,
        "languages": None,
        "followed_by": standing["followed_by"],
        "blocking": standing["blocking"],
        "blocked_by": standing.get("blocked_by", False),
        "muting": standing["muting"],
        "muting_notifications": standing["muting"],
        "requested": False,
        "requested_by": False,
        "domain_blocking": False,
        "endorsed": False,
        "note": "",
    }


# --- statuses ------------------------------------------------------------------------


def comment_status_id(comment_id: int) -> str:
    return f"{COMMENT_PREFIX}{comment_id}"


def media_attachment(request, media_id: str, name, description: str = "") -> dict:
    url = file_url(request, name)
    return {
        "id": str(media_id),
        "type": "image",
        "url": url,
        "preview_url": url,
        "remote_url": None,
        "meta": {},
        "description": description or None,
        "blurhash": None,
    }


def tag(request, name: str, *, history=None) -> dict:
    return {
        "name": name,
        "url": absolute(request, reverse("social:hashtag", args=[name])),
        "history": history or [],
        "following": False,
    }


def visibility(post: Post) -> str:
    group = post.group
    return "private" if group is not None and group.privacy == Group.Privacy.PRIVATE else "public"


def statuses(request, posts, *, viewer) -> list[dict]:
    """Posts as Statuses; the posts come from `selectors.visible_posts` (author, group and the
    viewer's like and share loaded) with hashtags and mentions prefetched."""
    posts = list(posts)
    authors = {post.author_id: post.author for post in posts}
    counts = account_counts(list(authors.values()))
    return [status(request, post, counts=counts) for post in posts]


def status(request, post: Post, *, counts: dict | None = None) -> dict:
    mentioned = list(post.mentions.all())
    known = {person.username for person in mentioned} | {post.author.username}
    url = absolute(request, reverse("social:post", args=[post.pk]))
    author_counts = (counts or {}).get(post.author_id)
    return {
        "id": str(post.pk),
        "uri": url,
        "url": url,
        "created_at": iso(post.created_at),
        "edited_at": iso(post.edited_at),
        "account": account(request, post.author, counts=author_counts),
        "content": html(request, post.text, known),
        "text": post.text,
        "visibility": visibility(post),
        "sensitive": False,
        "spoiler_text": "",
        "language": None,
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "reblog": None,
        "application": None,
        "replies_count": post.comment_count,
        "reblogs_count": post.share_count,
        "favourites_count": post.like_count,
        "favourited": bool(getattr(post, "viewer_liked", False)),
        "reblogged": bool(getattr(post, "viewer_shared", False)),
        "muted": False,
        "bookmarked": False,
        "pinned": False,
        "media_attachments": (
            [media_attachment(request, f"p{post.pk}", post.image)] if post.image else []
        ),
        "mentions": [
            {
                "id": str(person.pk),
                "username": person.username,
                "acct": person.username,
                "url": absolute(request, reverse("social:profile", args=[person.username])),
            }
            for person in mentioned
        ],
        "tags": [tag(request, hashtag.name) for hashtag in post.hashtags.all()],
        "emojis": [],
        "card": None,
        "poll": None,
        "filtered": [],
        "flywheel": feed_placement(post),
    }


def feed_placement(post) -> dict | None:
    """Why the home feed placed this post (only on home timelines)."""
    if not hasattr(post, "feed_reason"):
        return None
    shared_by = getattr(post, "shared_by_username", None)
    return {
        "reason": post.feed_reason or "",
        "arm": getattr(post, "feed_arm", "") or "",
        "model_version": getattr(post, "feed_model_version", None),
        "position": getattr(post, "feed_position", None),
        "shared_by": shared_by,
    }


def reblog_status_id(share_id: int) -> str:
    return f"{REBLOG_PREFIX}{share_id}"


def reblog_status(request, share: Share, original: dict, *, counts: dict | None = None) -> dict:
    """A boost: the sharer's status whose `reblog` is the post's Status, with the viewer's
    favourited and reblogged of the post, as Mastodon shows them."""
    sharer = share.user
    url = absolute(request, reverse("social:profile", args=[sharer.username]))
    url += f"#share-{share.pk}"
    return {
        **original,
        "id": reblog_status_id(share.pk),
        "uri": url,
        "url": url,
        "created_at": iso(share.created_at),
        "edited_at": None,
        "account": account(request, sharer, counts=counts),
        "content": html(request, share.comment, set()) if share.comment else "",
        "text": share.comment,
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "reblog": original,
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "pinned": False,
        "media_attachments": [],
        "mentions": [],
        "tags": [],
        "card": None,
        "poll": None,
        "flywheel": None,
    }


def comment_status(request, comment: Comment) -> dict:
    """A comment as a Status: a public reply to its post, without media or counts."""
    post = comment.post
    url = absolute(request, reverse("social:post", args=[post.pk])) + f"#comment-{comment.pk}"
    return {
        "id": comment_status_id(comment.pk),
        "uri": url,
        "url": url,
        "created_at": iso(comment.created_at),
        "edited_at": None,
        "account": account(request, comment.author),
        "content": html(request, comment.text, set()),
        "text": comment.text,
        "visibility": visibility(post),
        "sensitive": False,
        "spoiler_text": "",
        "language": None,
        "in_reply_to_id": str(post.pk),
        "in_reply_to_account_id": str(post.author_id),
        "reblog": None,
        "application": None,
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "favourited": False,
        "reblogged": False,
        "muted": False,
        "bookmarked": False,
        "pinned": False,
        "media_attachments": [],
        "mentions": [],
        "tags": [],
        "emojis": [],
        "card": None,
        "poll": None,
        "filtered": [],
        "flywheel": None,
    }
