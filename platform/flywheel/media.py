"""Serving uploaded media through Django, with access control, from the storage API.

Every upload is stored under a name the server chose (`flywheel.images.stored_image_name`)
in the folder of its kind (posts, avatars, ads). Each app registers its kind from its
AppConfig: who may see a file (posts: the one visibility rule of social.selectors). Files go
with their rows (django-cleanup deletes a file after the transaction that deleted or
replaced its row commits: a post, an ad, an avatar, an account). The view reads through
`default_storage`, never a filesystem path, so media can move to object storage; it answers
404 for a name that is not ours, a file nobody may see, and anything that is not one of our
image types, and sends the Content-Type of the stored format with headers that keep a
browser from treating an upload as a page.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from flywheel.images import STORED_NAME

CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}
# A sandboxed, script-less document even if a browser were to render the file itself.
MEDIA_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


@dataclass(frozen=True)
class MediaKind:
    folder: str
    may_see: Callable[[object, str], bool]  # (viewer, stored name) -> bool


KINDS: dict[str, MediaKind] = {}


def register(kind: MediaKind) -> None:
    KINDS[kind.folder] = kind


@require_GET
def serve(request, path: str):
    match = STORED_NAME.fullmatch(path)
    kind = KINDS.get(match["folder"]) if match else None
    if kind is None or not kind.may_see(_viewer(request), path):
        raise Http404("No such file.")
    try:
        stored = default_storage.open(path, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("No such file.") from None
    response = FileResponse(stored, content_type=CONTENT_TYPES[match["extension"]])
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="image.{match["extension"]}"'
    response["Content-Security-Policy"] = MEDIA_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    # Who may see a file can change (a post hidden, a group made private): no shared caches.
    response["Cache-Control"] = "private, max-age=300"
    return response


def _viewer(request):
    """The person asking: the session's, or an API client's bearer token's (so a client may
    load a private group's picture it was shown). A bad token counts as nobody."""
    if not request.headers.get("Authorization", "").lower().startswith("bearer "):
        return request.user
    from django.contrib.auth.models import AnonymousUser
    from rest_framework.exceptions import AuthenticationFailed
    from rest_framework.request import Request

    from accounts.authentication import BearerTokenAuthentication

    try:
        authenticated = BearerTokenAuthentication().authenticate(Request(request))
    except AuthenticationFailed:
        authenticated = None
    return authenticated[0] if authenticated else AnonymousUser()
