"""Builders shared by the page tests (tests/social/test_pages_*.py). No tests live here.

Rows are made through the services, so pages are tested against the state real people
would leave behind.
"""

import io
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from social import services
from social.models import Group, Membership
from tests.factories import UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
_numbers = itertools.count(1)


def someone(username=None, **fields):
    return UserFactory(username=username or f"member{next(_numbers)}", **fields)


def write(author, text=None, **kwargs):
    return services.post_create(author=author, text=text or f"note {next(_numbers)}", **kwargs)


def group_by(owner, name=None, *, private=False):
    return services.group_create(
        owner=owner,
        name=name or f"circle {next(_numbers)}",
        privacy=Group.Privacy.PRIVATE if private else Group.Privacy.PUBLIC,
    )


def join(group, user):
    """An active member whatever the privacy (a private group's request, approved)."""
    services.group_join(user=user, group=group)
    membership = Membership.objects.get(group=group, user=user)
    if membership.state == Membership.State.PENDING:
        services.group_request_decide(moderator=group.owner, group=group, user=user, approve=True)
    return membership


def png_upload(name="photo.png", size=(12, 12)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def html(response) -> str:
    return response.content.decode()


def is_fragment(response) -> bool:
    text = html(response).lower()
    return "<html" not in text and "<body" not in text
