import pytest

from flywheel import resilient_cache
from tests.faults.services import RedisServer


@pytest.fixture
def own_redis(tmp_path, settings):
    """The cache on a Redis of this test's own, which the test may stop and start."""
    server = RedisServer(tmp_path).start()
    settings.CACHES = {
        "default": {
            "BACKEND": "flywheel.resilient_cache.ResilientRedisCache",
            "LOCATION": f"{server.url}/0",
        }
    }
    settings.CACHE_RETRY_SECONDS = 0  # try Redis on every call: the test decides when it is back
    resilient_cache._breaker.__init__()
    yield server
    server.stop()
    resilient_cache._breaker.__init__()


@pytest.fixture
def own_broker(tmp_path, monkeypatch):
    """Celery's broker on a Redis of this test's own (the cache stays where it was)."""
    from flywheel.celery import app

    server = RedisServer(tmp_path).start()
    # Celery reads CELERY_BROKER_URL from the environment before its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", f"{server.url}/0")
    _forget_connections(app)
    yield server
    server.stop()
    monkeypatch.undo()
    _forget_connections(app)


def _forget_connections(app) -> None:
    app._pool = None
    app.amqp._producer_pool = None
