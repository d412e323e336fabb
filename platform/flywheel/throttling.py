"""DRF's throttles, with the local rule of flywheel.ratelimit while the shared cache is away.

The counts live in the cache (flywheel.resilient_cache); while Redis is away they are kept
per process, so each process allows only its share of the rate (ratelimit.local_share).
"""

from rest_framework import throttling

from flywheel import resilient_cache, soft_cache
from flywheel.ratelimit import local_share


class LocalShareWhileDegraded:
    # Through soft_cache, so a history read ahead with others (soft_cache.read_ahead) is
    # not read again; it answers get/set as Django's cache does, on the same cache.
    cache = soft_cache

    # DRF makes the throttles per request and parses the rate then (ScopedRateThrottle in
    # allow_request), so the share follows the cache's state request by request.
    def parse_rate(self, rate):
        count, seconds = super().parse_rate(rate)
        if count is not None and resilient_cache.degraded():
            count = local_share(count)
        return count, seconds


class AnonRateThrottle(LocalShareWhileDegraded, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(LocalShareWhileDegraded, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(LocalShareWhileDegraded, throttling.ScopedRateThrottle):
    pass
