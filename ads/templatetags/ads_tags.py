"""Money, rates and ad pictures in templates: `{% load ads_tags %}`."""

from urllib.parse import urlsplit

from django import template
from django.core.files.storage import default_storage

from ads.money import currency, format_money

register = template.Library()


@register.filter
def money(micros, places=2):
    """Integer micros as currency: {{ campaign.spent_micros|money }} -> $12.50."""
    return format_money(micros, int(places))


@register.filter
def percent(fraction, places=1):
    """0.0421 -> 4.2%; None -> an en dash."""
    if fraction is None:
        return "\u2013"
    return f"{fraction * 100:.{int(places)}f}%"


@register.filter
def ratio(part, whole):
    """part / whole, or None when whole is 0 (so `percent` shows a dash)."""
    return part / whole if whole else None


@register.filter
def media_url(name):
    """The address of an uploaded file stored under `name` ("" for none)."""
    return default_storage.url(name) if name else ""


@register.filter
def domain(link):
    """Where a link goes, for people to see before they click: example.com."""
    host = urlsplit(str(link)).hostname or ""
    return host.removeprefix("www.")


@register.simple_tag
def currency_code():
    return currency()
