"""The shared cache for things that can always be computed again (precomputed feed
candidates, feed snapshots) and for DRF's throttle histories. Such a cache may go away
(Redis restarted or unreachable); a read then is a miss and a write is skipped, so the page
is computed the slow, correct way instead of failing. Each failure is logged once a minute,
not once a request.

`read_ahead` reads keys that a request is known to need in one round trip (a next page of
the home: its throttle history and its snapshot, read by code that knows nothing of the
other); within it, the first `get` of each of those keys is answered from what was read."""

import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache

log = logging.getLogger(__name__)
_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError)
try:
    from redis.exceptions import RedisError

    _ERRORS += (RedisError,)
except ImportError:  # no redis client installed: the file cache raises OSError
    pass
_last_logged = [0.0]
_MISSING = object()
_ahead: ContextVar[dict | None] = ContextVar("soft_cache_read_ahead", default=None)


def _failed(operation: str, error: BaseException) -> None:
    now = time.monotonic()
    if now - _last_logged[0] > 60:
        _last_logged[0] = now
        log.warning("cache %s failed, computing instead: %s", operation, error)


@contextmanager
def read_ahead(keys: list[str]):
    values = get_many(keys)
    token = _ahead.set({key: values.get(key, _MISSING) for key in keys})
    try:
        yield
    finally:
        _ahead.reset(token)


def get(key: str, default=None):
    ahead = _ahead.get()
    if ahead is not None and key in ahead:
        value = ahead.pop(key)  # once: a later read (after a write) goes to the cache
        return default if value is _MISSING else value
    try:
        return cache.get(key, default)
    except _ERRORS as error:
        _failed("get", error)
        return default


def get_many(keys: list[str]) -> dict:
    if not keys:
        return {}
    try:
        return cache.get_many(keys)
    except _ERRORS as error:
        _failed("get_many", error)
        return {}


def set(key: str, value, timeout: float) -> None:
    try:
        cache.set(key, value, timeout)
    except _ERRORS as error:
        _failed("set", error)


def set_many(values: dict, timeout: float) -> None:
    if not values:
        return
    try:
        cache.set_many(values, timeout)
    except _ERRORS as error:
        _failed("set_many", error)


def delete_many(keys: list[str]) -> None:
    if not keys:
        return
    try:
        cache.delete_many(keys)
    except _ERRORS as error:
        _failed("delete_many", error)
