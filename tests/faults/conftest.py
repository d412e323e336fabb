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
