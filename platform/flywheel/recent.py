"""Reads a page may take a moment stale, held per process for a second or two.

Some small reads are made by every page though what they read changes a few times an hour:
which model versions are active, the experiment's arms, the ads' budgets for pacing. Each is
one indexed statement, but under load a statement costs a round trip and a wait for a core,
so a web process reads each at most once per refresh period and every thread shares what it
read. Only reads whose staleness is harmless belong here: the database still decides
anything that must be exact (a charge, a permission).
"""

import threading
import time

_held: dict[tuple, tuple[float, object]] = {}
_lock = threading.Lock()
MAX_KEYS = 64  # keys that stop being asked for (past days, index versions) are dropped


def recent(key: tuple, load, seconds: float):
    """`load()`, or what it returned for `key` less than `seconds` ago in this process."""
    now = time.monotonic()
    held = _held.get(key)
    if held is not None and now - held[0] < seconds:
        return held[1]
    value = load()
    with _lock:
        if len(_held) > MAX_KEYS:
            _held.clear()
        _held[key] = (now, value)
    return value


def forget_recent() -> None:
    """Drop every held read (tests, and after a change this process must see at once)."""
    _held.clear()
