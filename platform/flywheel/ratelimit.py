"""Rate limits on actions (posting, following, reporting), shared by pages and the API.

A fixed window per (scope, identity), counted with the cache's atomic increment, so several
web processes on one Redis see one count.

While the shared cache is away (flywheel.resilient_cache), each process counts alone in its own
memory. Its local rule is its share of the limit, `local_share()`: the limit divided by the
number of web processes (RATE_LIMIT_PROCESSES), rounded down but at least 1. Whichever process
a request lands on, the site as a whole then lets through at most the configured limit: the
fallback can only be stricter than the shared count, never looser, so an outage of the cache
never opens a door to floods. A person near the limit may be refused a little early during the
outage; the limits are far above what a person does by hand.
"""

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from flywheel import resilient_cache


class RateLimited(Exception):
    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


def parse_limit(text: str) -> Limit:
    """'300/3h', '400/day', '20/min' -> Limit."""
    count, _, period = text.partition("/")
    units = {
        "s": 1,
        "sec": 1,
        "min": 60,
        "m": 60,
        "h": 3600,
        "hour": 3600,
        "d": 86400,
        "day": 86400,
    }
    number = "".join(ch for ch in period if ch.isdigit()) or "1"
    unit = period[len(number) :] if period.startswith(number) else period
    return Limit(int(count), int(number) * units[unit])


def check_and_count(scope: str, identity, *, action: str) -> None:
    """Count one `scope` action for `identity`, or raise RateLimited when over the limit."""
    limit = parse_limit(settings.ACTION_RATE_LIMITS[scope])
    if resilient_cache.degraded():
        limit = Limit(local_share(limit.count), limit.seconds)
    now = int(time.time())
    window = now // limit.seconds
    key = f"ratelimit:{scope}:{identity}:{window}"
    cache.add(key, 0, timeout=limit.seconds + 5)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=limit.seconds + 5)
        used = 1
    if used > limit.count:
        retry_after = (window + 1) * limit.seconds - now
        raise RateLimited(
            f"You have reached the limit of {limit.count} {action} in "
            f"{_describe(limit.seconds)}. Try again in {_describe(retry_after)}.",
            retry_after=retry_after,
        )


def local_share(count: int) -> int:
    """One process's share of a limit of `count` while the shared cache is away."""
    return max(1, count // max(1, settings.RATE_LIMIT_PROCESSES))


def _describe(seconds: int) -> str:
    """A span in plain words, rounded up (waiting a little longer than said is fine; trying
    again too early is not)."""
    seconds = max(1, math.ceil(seconds))
    if seconds < 60:
        return "1 second" if seconds == 1 else f"{seconds} seconds"
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return "a minute" if minutes == 1 else f"{minutes} minutes"
    if seconds % 86400 == 0:
        days = seconds // 86400
        return "a day" if days == 1 else f"{days} days"
    hours = math.ceil(seconds / 3600)
    return "an hour" if hours == 1 else f"{hours} hours"
