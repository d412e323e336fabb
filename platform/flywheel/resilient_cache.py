"""The shared cache (Redis) as a backend that degrades instead of failing.

Everything on the request path touches the cache: DRF's throttles, the action rate limits,
the ads index token, feed snapshots and candidates. With Django's plain Redis backend a
stopped Redis turned every one of those into a 500. This backend is Django's
own `RedisCache`; when Redis does not answer, each operation goes to a per-process memory
cache instead (Django's `LocMemCache`, bounded), and Redis is tried again after
CACHE_RETRY_SECONDS. So while Redis is away:

- things that can be computed again (snapshots, candidates) miss and are recomputed; what
  this process computed is kept locally, at most CACHE_FALLBACK_ENTRIES;
- counters (rate limits, throttles) count per process: `degraded()` tells the limiters to
  use their local share (flywheel.ratelimit.local_share), so the site as a whole never lets
  more through than the configured limit;
- `/healthz` reports the cache as down (`probe()`).

When Redis answers again, it is used again; the local copies are dropped. Nothing in the cache
is the only copy of anything (the database is), so nothing is lost.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
FAILURES = (RedisError, OSError, EOFError)
FALLBACK_NAME = "flywheel-cache-fallback"


class _Breaker:
    """One per process: is Redis down, and when to try it again."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_since: float | None = None
        self.retry_at = 0.0
        self.logged_at = float("-inf")

    def skip(self) -> bool:
        return self.down_since is not None and time.monotonic() < self.retry_at

    def failed(self, operation: str, error: BaseException) -> None:
        now = time.monotonic()
        with self.lock:
            if self.down_since is None:
                self.down_since = now
            self.retry_at = now + settings.CACHE_RETRY_SECONDS
            if now - self.logged_at > 60:
                self.logged_at = now
                log.warning("cache %s failed, using this process's memory: %r", operation, error)

    def succeeded(self, local: LocMemCache) -> None:
        if self.down_since is None:
            return
        with self.lock:
            if self.down_since is not None:
                log.warning("cache is back after %.0f s", time.monotonic() - self.down_since)
                self.down_since = None
                local.clear()  # counts and copies of the outage must not outlive it


_breaker = _Breaker()


def degraded() -> bool:
    """True while the shared cache is known to be away (this process's last try failed)."""
    return _breaker.down_since is not None


def _fallback() -> LocMemCache:
    # Every LocMemCache of one name shares one store per process, whichever thread asks.
    return LocMemCache(FALLBACK_NAME, {"OPTIONS": {"MAX_ENTRIES": settings.CACHE_FALLBACK_ENTRIES}})


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        # A Redis that does not answer must cost a request milliseconds, not a hang.
        options.setdefault("socket_connect_timeout", settings.CACHE_SOCKET_TIMEOUT)
        options.setdefault("socket_timeout", settings.CACHE_SOCKET_TIMEOUT)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._local = _fallback()

    def probe(self) -> dict:
        """Ask Redis itself (not the fallback): for /healthz."""
        try:
            self._cache.get_client().ping()
        except FAILURES as error:
            _breaker.failed("ping", error)
            return {"ok": False, "error": str(error)[:200] or type(error).__name__}
        _breaker.succeeded(self._local)
        return {"ok": True}


def _guarded(name: str):
    redis_method = getattr(RedisCache, name)

    def method(self, *args, **kwargs):
        if not _breaker.skip():
            try:
                result = redis_method(self, *args, **kwargs)
            except FAILURES as error:
                _breaker.failed(name, error)
            else:
                _breaker.succeeded(self._local)
                return result
        return getattr(self._local, name)(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = redis_method.__doc__
    return method


for _name in (
    "add", "get", "set", "touch", "delete", "get_many", "has_key", "incr",
    "set_many", "delete_many", "clear",
):  # fmt: skip
    setattr(ResilientRedisCache, _name, _guarded(_name))


def probe(cache) -> dict:
    """The state of `cache` for /healthz: Redis pinged, any other backend asked for a key."""
    if isinstance(cache, ResilientRedisCache):
        return cache.probe()
    try:
        cache.get("flywheel:health")
    except Exception as error:  # any backend's failure is "down" here
        return {"ok": False, "error": str(error)[:200]}
    return {"ok": True}
