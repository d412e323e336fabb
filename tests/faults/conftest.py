import subprocess

import pytest
from django.db import connection

from flywheel import resilient_cache
from tests.faults.services import PostgresCluster, RedisServer


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


@pytest.fixture
def own_postgres(db):
    """A PostgreSQL cluster of this test's own holding a copy of the migrated test database
    (schema and the rows of the data migrations), which the test may stop and start."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    test_database = connection.settings_dict
    source = (
        f"postgres://{test_database['USER'] or 'postgres'}@{test_database['HOST'] or '127.0.0.1'}"
        f":{test_database['PORT'] or 5432}/{test_database['NAME']}"
    )
    cluster = PostgresCluster()
    try:
        cluster.init().start()
        cluster.psql("CREATE DATABASE flywheel")
        dump = subprocess.run(
            ["pg_dump", "--no-owner", "--no-acl", source], capture_output=True, check=True
        )
        subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", cluster.url("flywheel")],
            input=dump.stdout, capture_output=True, check=True,
        )  # fmt: skip
        yield cluster
    finally:
        cluster.remove()
