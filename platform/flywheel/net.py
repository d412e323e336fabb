"""Who is asking: the client address, the same rule for login limits and API throttles."""

from django.conf import settings


def client_ip(request) -> str:
    """The client's address, trusting X-Forwarded-For only as far as NUM_PROXIES allows.

    With no proxy configured the header is ignored, so a client cannot choose its own
    identity by forging it. With N proxies, the N-th address from the right is the one the
    outermost trusted proxy saw.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = settings.NUM_PROXIES
    if proxies <= 0:
        return remote_addr
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if not forwarded:
        return remote_addr
    return forwarded[-min(proxies, len(forwarded))]
