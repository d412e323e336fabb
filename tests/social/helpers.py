"""Small builders for the social core tests (services, selectors, search, admin).

They go through the services where the services do real work (linking hashtags, keeping
counts), so a test starts from the same state a real user would have created.
"""

import io
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from social import services
from social.models import Group, Membership, Post
from tests.factories import UserFactory

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 costs a third of a second per user; these tests sign people in with
    force_login, so a cheap hasher keeps them quick. Import it into a test module to use it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def person(username: str | None = None, **fields):
    """A person without a usable password (tests sign them in with force_login)."""
    fields.setdefault("password", None)
    return UserFactory(username=username or f"someone{next(_numbers)}", **fields)


def post_by(author, text: str | None = None, **kwargs) -> Post:
    return services.post_create(
        author=author, text=text or f"post number {next(_numbers)}", **kwargs
    )


def group_of(owner, name: str | None = None, *, private: bool = False) -> Group:
    return services.group_create(
        owner=owner,
        name=name or f"group {next(_numbers)}",
        privacy=Group.Privacy.PRIVATE if private else Group.Privacy.PUBLIC,
    )


def add_member(group: Group, user, *, role=Membership.Role.MEMBER) -> Membership:
    """An active member, whatever the group's privacy (skips the request dance)."""
    membership = Membership.objects.create(
        group=group, user=user, role=role, state=Membership.State.ACTIVE
    )
    Group.objects.filter(pk=group.pk).update(member_count=group.memberships.count())
    return membership


def image_upload(name="photo.png", *, image_format="PNG", size=(8, 8)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=image_format)
    content_types = {"PNG": "image/png", "JPEG": "image/jpeg", "BMP": "image/bmp"}
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_types[image_format])


def ids(posts) -> list[int]:
    return [p.pk for p in posts]
