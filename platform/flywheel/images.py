"""Uploaded images: one validator for avatars, post images and ad creatives."""

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "GIF": "GIF", "WEBP": "WebP"}


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
