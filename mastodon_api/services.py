"""What the Mastodon endpoints do beyond calling Flywheel's own services: registering apps,
holding uploads until their status, honouring Idempotency-Key, and counting what an API
client was served."""

import hashlib
import re
import time
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from oauth2_provider.generators import generate_client_id, generate_client_secret
from oauth2_provider.models import get_application_model

from accounts.oauth_scopes import SCOPES
from events.models import EventKind, Surface
from events.services import events_ingest
from flywheel.errors import NotFound
from flywheel.images import validate_image_upload
from mastodon_api.models import AppProfile, MediaUpload
from social import selectors
from social import services as social
from social.models import Comment

DIGITS = re.compile(r"[0-9]{1,18}")
IDEMPOTENCY_SECONDS = 3600
IDEMPOTENCY_WAIT_SECONDS = 10.0
MAX_MEDIA_PER_STATUS = 1  # a Flywheel post has one image


@dataclass(frozen=True)
class RegisteredApp:
    application: object
    client_secret: str  # known only here, once: the database keeps a hash
    scopes: str
    website: str


def app_register(*, name: str, redirect_uris: list[str], scopes: str, website: str = ""):
    """A DOT Application for a Mastodon client: confidential (it gets a secret), allowed the
    authorization-code and client-credentials grants, and at most the registered scopes."""
    unknown = [scope for scope in scopes.split() if scope not in SCOPES]
    if unknown:
        raise ValidationError({"scopes": [f"Unknown scope: {', '.join(unknown)}."]})
    Application = get_application_model()
    secret = generate_client_secret()
    application = Application(
        client_id=generate_client_id(),
        client_secret=secret,
        name=name,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(redirect_uris),
        skip_authorization=False,
    )
    application.full_clean(exclude=["user"])  # DOT's own check of the redirect URIs
    with transaction.atomic():
        application.save()
        AppProfile.objects.create(application=application, scopes=scopes, website=website)
    return RegisteredApp(application, secret, scopes, website)


# --- media and statuses ----------------------------------------------------------------


def media_upload(*, owner, image, description: str = "") -> MediaUpload:
    """Keep an image for a status to come, after the site's own checks (type, size,
    pixels: flywheel.images)."""
    validate_image_upload(image)
    return MediaUpload.objects.create(owner=owner, image=image, description=description)


def _media_for(owner, media_ids: list[str]) -> MediaUpload | None:
    if not media_ids:
        return None
    if len(media_ids) > MAX_MEDIA_PER_STATUS:
        raise ValidationError({"media_ids": ["A Flywheel post has at most one image."]})
    upload = MediaUpload.objects.filter(owner=owner, pk=row_id(media_ids[0])).first()
    if upload is None:
        raise ValidationError({"media_ids": ["No such media of yours (or it is used already)."]})
    return upload


def row_id(value) -> int:
    """A database id from a Mastodon id (a string), or -1 for anything that cannot be one
    (letters, other digits than 0-9, more than fits in a bigint): never a database error."""
    text = str(value)
    return int(text) if DIGITS.fullmatch(text) else -1


def resolve_status(viewer, status_id: str):
    """The post or comment a Mastodon status id names, if the viewer may see it."""
    from mastodon_api.entities import COMMENT_PREFIX

    text = str(status_id)
    if text.startswith(COMMENT_PREFIX):
        comment_id = row_id(text[len(COMMENT_PREFIX) :])
        post_id = Comment.objects.filter(pk=comment_id).values_list("post_id", flat=True).first()
        try:
            post = selectors.post_visible_to(viewer, post_id)
        except NotFound:
            raise NotFound("Record not found") from None
        comment = selectors.comments_for(viewer, post).filter(pk=comment_id).first()
        if comment is None:
            raise NotFound("Record not found")
        comment.post = post
        return comment
    if row_id(text) < 0:
        raise NotFound("Record not found")
    try:
        return selectors.post_visible_to(viewer, row_id(text))
    except NotFound:
        raise NotFound("Record not found") from None


def status_create(*, author, text: str, media_ids: list[str], in_reply_to_id: str | None):
    """A post (with at most one image), or with `in_reply_to_id` a comment on that post (a
    reply to a comment is a comment on its post). Returns the Post or the Comment."""
    if in_reply_to_id:
        target = resolve_status(author, in_reply_to_id)
        post = getattr(target, "post", None) or target
        if media_ids:
            raise ValidationError({"media_ids": ["A reply (a comment) cannot carry an image."]})
        return social.comment_create(author=author, post=post, text=text, surface=Surface.API)
    upload = _media_for(author, media_ids)
    if upload is None:
        return social.post_create(author=author, text=text)
    with upload.image.open("rb") as stored:
        post = social.post_create(author=author, text=text, image=File(stored, name="upload"))
    upload.delete()  # django-cleanup removes the file once the transaction commits
    return post


def once_per_key(user, key: str | None, create):
    """Run `create()` once per (person, Idempotency-Key) within an hour: a retry with the same
    key gets the first result's id, even while the first request is still running. `create`
    returns an id; so does this."""
    if not key:
        return create()
    slot = "mastodon:idempotency:" + hashlib.sha256(f"{user.pk}:{key}".encode()).hexdigest()
    if cache.add(slot, "", timeout=IDEMPOTENCY_SECONDS):
        try:
            made = create()
        except BaseException:
            cache.delete(slot)  # nothing was made: the key may be used again
            raise
        cache.set(slot, made, timeout=IDEMPOTENCY_SECONDS)
        return made
    deadline = time.monotonic() + IDEMPOTENCY_WAIT_SECONDS
    while time.monotonic() < deadline:
        made = cache.get(slot)
        if made:
            return made
        if made is None:  # the first attempt failed and let the key go: try ourselves
            return once_per_key(user, key, create)
        time.sleep(0.05)
    raise ValidationError("A request with this Idempotency-Key is still being processed.")


# --- served on home -----------------------------------------------------------------------


def record_served(viewer, posts, *, serve_token: str) -> int:
    """Count the home statuses returned to an API client as impressions (surface `api`):
    clients cannot beacon, so being returned is being served. They go through the beacon
    ingestion (events_ingest): the arm and model version come from the page's serve token,
    the caps per person, post and hour apply, and a person's own posts are not counted."""
    batch = uuid.uuid4().hex[:16]
    items = [
        {
            "kind": EventKind.IMPRESSION.label,
            "key": f"api-{batch}-{post.pk}",
            "post": post.pk,
            "surface": "api",
            "position": min(getattr(post, "feed_position", 0) or 0, 10_000),
            "serve": serve_token,
        }
        for post in posts
    ]
    if not items:
        return 0
    result = events_ingest(
        user=viewer,
        items=items,
        visible_post_authors=lambda ids: selectors.visible_post_authors(viewer, ids),
        existing_person_ids=lambda ids: set(),
    )
    return result.accepted


# --- markers ------------------------------------------------------------------------------


def markers_save(*, user, values: dict[str, str]) -> list:
    """Save read positions; each save bumps the marker's version (clients use it to spot a
    conflicting write from another client)."""
    from django.db.models import F

    from mastodon_api.models import Marker

    saved = []
    with transaction.atomic():
        for timeline, last_read_id in values.items():
            marker, created = Marker.objects.get_or_create(
                user=user, timeline=timeline, defaults={"last_read_id": last_read_id}
            )
            if not created:
                Marker.objects.filter(pk=marker.pk).update(
                    last_read_id=last_read_id, version=F("version") + 1
                )
                marker.refresh_from_db()
            saved.append(marker)
    return saved
