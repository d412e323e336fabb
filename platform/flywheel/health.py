"""The health check: is the database up, is the cache up, is the broker reachable, does a
worker answer? Only the database decides `ok` (503 without it); the site serves without the
cache, slower (flywheel/resilient_cache.py), so a cache that is away shows as
`"cache": {"ok": false}` with `"degraded": true`.

Anonymous callers get the database's state only, computed at most once per
HEALTH_CACHE_SECONDS per process: /healthz is public, and a worker ping per call put a task
on the queue and held a web thread for up to 3 s, which anyone could repeat at will.
"""

import contextlib
import hmac
import threading
import time

from celery.exceptions import TimeoutError as CeleryTimeout
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.utils import DatabaseError

from flywheel import resilient_cache
from flywheel.celery import app
from flywheel.tasks import ping


def database_state() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return {"ok": False, "error": str(error).strip().splitlines()[0][:200]}
    return {"ok": True, "vendor": connection.vendor}


def cache_state() -> dict:
    return resilient_cache.probe(caches["default"])


def broker_state() -> dict:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # kombu raises transport-specific errors
        return {"ok": False, "error": str(error)[:200]}
    return {"ok": True, "transport": app.conf.broker_url.split(":", 1)[0]}


def worker_state(timeout: float = 3.0, queue: str = "default") -> dict:
    """Send a ping task and wait briefly for a worker consuming `queue` to answer it."""
    result = None
    try:
        result = ping.apply_async(queue=queue, expires=timeout + 5)
        answer = result.get(timeout=timeout, disable_sync_subtasks=False)
    except CeleryTimeout:
        return {"ok": False, "error": f"no worker answered within {timeout:g} s"}
    except Exception as error:
        return {"ok": False, "error": str(error)[:200]}
    finally:
        if result is not None:
            _forget(result)
    return {"ok": answer == "pong"}


def _forget(result) -> None:
    # Not every result backend can forget; the result then just expires.
    with contextlib.suppress(Exception):
        result.forget()


def health(*, check_worker: bool = True) -> dict:
    state = {"database": database_state(), "cache": cache_state(), "broker": broker_state()}
    if check_worker:
        state["worker"] = (
            worker_state() if state["broker"]["ok"] else {"ok": False, "error": "broker down"}
        )
    return _summed(state)


def _summed(state: dict) -> dict:
    state["ok"] = state["database"]["ok"]
    if not all(part["ok"] for name, part in state.items() if name != "ok"):
        state["degraded"] = True
    return state


_public = {"at": float("-inf"), "state": None}
_public_lock = threading.Lock()


def public_health() -> dict:
    """The database's and the cache's state, shared by every anonymous caller for a few
    seconds."""
    with _public_lock:
        if time.monotonic() - _public["at"] >= settings.HEALTH_CACHE_SECONDS:
            _public["state"] = _summed({"database": database_state(), "cache": cache_state()})
            _public["at"] = time.monotonic()
        return _public["state"]


def health_privileged(request) -> bool:
    """Staff, or a caller presenting HEALTH_TOKEN in X-Health-Token, may run the full check."""
    user = getattr(request, "user", None)
    if user is not None and user.is_active and user.is_staff:
        return True
    expected = settings.HEALTH_TOKEN
    given = request.headers.get("X-Health-Token", "")
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())
