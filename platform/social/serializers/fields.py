"""What the serializers of every area share: the full address of an uploaded file, and a
text field whose errors say what to do."""

from rest_framework import serializers

from events.models import Surface
from social.surfaces import UNKNOWN_SURFACE


def absolute_url(context: dict, file) -> str | None:
    """The full address of an uploaded file, or None when there is none."""
    if not file:
        return None
    request = context.get("request")
    return request.build_absolute_uri(file.url) if request is not None else file.url


def text_field(*, limit: int, what: str, **kwargs) -> serializers.CharField:
    return serializers.CharField(
        max_length=limit,
        error_messages={
            "blank": f"Write something: the {what} is empty.",
            "required": f"Write something: the {what} is empty.",
            "null": f"Write something: the {what} is empty.",
            "max_length": f"The {what} is too long; the limit is {limit} characters.",
            "invalid": f"The {what} must be text.",
        },
        **kwargs,
    )


def surface_field() -> serializers.ChoiceField:
    """A reaction's optional `surface`: where the person acted from (social.surfaces)."""
    return serializers.ChoiceField(
        choices=Surface.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Where the person acted from: home (For you), following (the Following "
        "tab), explore, profile, group, search, post, hashtag, notifications or api; left "
        "out, it is Other. The experiments compare arms on reactions made on For you.",
        error_messages={"invalid_choice": UNKNOWN_SURFACE.format(value="{input}")},
    )
