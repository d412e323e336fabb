"""The bots' shared password: seeding sets it, the bulk writer hashes it once for all, and the
driver logs in with it."""

import hashlib
import hmac

from django.conf import settings


def bot_password() -> str:
    """Derived from the site's secret, so the driver can log in as any bot without a stored
    list of passwords."""
    digest = hmac.new(settings.SECRET_KEY.encode(), b"flywheel bots", hashlib.sha256)
    return "bot-" + digest.hexdigest()[:28]
