"""Uploaded images: one validator for avatars, post images and ad creatives, and the name
each is stored under."""

import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "GIF": "GIF", "WEBP": "WebP"}
# The extension a stored image gets, from its decoded format (never from the uploader's name).
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
# What a name chosen by stored_image_name looks like; the media view serves nothing else.
STORED_NAME = re.compile(
    r"(?P<folder>[a-z]+)/[A-Za-z0-9_-]{16,64}\.(?P<extension>jpg|png|gif|webp)"
)


def validate_image_upload(upload) -> None:
    """Reject files that are too big, are not really images, or are of an unsupported type.

    The content is decoded, not trusted from its name or declared content type, so a text file
    renamed to .png is refused.
    """
    limit = settings.MAX_IMAGE_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"The image is {upload.size / 1_048_576:.1f} MB; the limit is "
            f"{limit / 1_048_576:.0f} MB.",
            code="image_too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            "That file is not an image we can read. Upload a JPEG, PNG, GIF or WebP picture.",
            code="image_invalid",
        ) from None
    finally:
        upload.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            f"{image_format} images are not supported. Upload a JPEG, PNG, GIF or WebP picture.",
            code="image_type",
        )
    if width * height > settings.MAX_IMAGE_PIXELS:
        raise ValidationError(
            f"The image is {width}x{height} pixels, which is too large.", code="image_pixels"
        )


def decoded_format(upload) -> str:
    """The image format Pillow reads from the content (JPEG, PNG, GIF or WEBP)."""
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        image_format = None
    finally:
        upload.seek(0)
    if image_format not in EXTENSIONS:
        raise ValidationError(
            "That file is not an image we can read. Upload a JPEG, PNG, GIF or WebP picture.",
            code="image_invalid",
        )
    return image_format


def stored_image_name(folder: str, upload) -> str:
    """A name the server chooses: unguessable, with the extension of the decoded format.

    The uploader's file name is ignored: it once decided the Content-Type media was served
    with, so a PNG named `x.html` carrying a script came back as a web page."""
    extension = EXTENSIONS[decoded_format(upload)]
    return f"{folder}/{secrets.token_urlsafe(18)}.{extension}"


def rename_legacy_uploads(model, field: str, folder: str) -> int:
    """Data migrations: move files stored under their uploader's name (which could be
    `x.html`) to a name the server chooses. A file that is missing or not an image we serve
    is dropped from its row. Old files are deleted once the migration commits."""
    from django.core.files.storage import default_storage
    from django.db import transaction

    moved = 0
    rows = model.objects.exclude(**{field: ""}).values_list("pk", field)
    for pk, name in list(rows):
        if STORED_NAME.fullmatch(name) and name.startswith(f"{folder}/"):
            continue
        try:
            with default_storage.open(name, "rb") as stored:
                new_name = default_storage.save(stored_image_name(folder, stored), stored)
        except (OSError, ValidationError):
            new_name = ""
        model.objects.filter(pk=pk).update(**{field: new_name})
        transaction.on_commit(lambda old=name: default_storage.delete(old))
        moved += 1
    return moved


def legacy_upload_rename_operation(app: str, model: str, field: str, folder: str):
    """The data migration step that renames one model's legacy uploads (see above)."""
    from django.db import migrations

    def forward(apps, schema_editor):
        rename_legacy_uploads(apps.get_model(app, model), field, folder)

    return migrations.RunPython(forward, migrations.RunPython.noop)
