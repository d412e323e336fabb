"""How the social admins show rows: short excerpts, links to another row's admin page and
to the row on the site."""

from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import Truncator


def _short(text: str, words: int = 12) -> str:
    return Truncator(text).words(words, truncate="…")


def _admin_link(obj, label=None):
    if obj is None:
        return "-"
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label if label is not None else str(obj))


def _site_url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None
