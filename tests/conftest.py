import pytest
from django.conf import settings
from django.core.servers import basehttp
from django.test import testcases
from rest_framework.test import APIClient

from tests.factories import DEFAULT_PASSWORD, UserFactory, sign_in_api

# Django's live server answers /media/ itself, from MEDIA_ROOT, by file extension, before the
# site's URLs see the request. The site serves media through its own view (access control,
# safe headers: flywheel/media.py), which is what the live-server tests must exercise.
testcases._MediaFilesHandler._should_handle = lambda self, path: False

# The live server stands in for gunicorn, which listens with a backlog of 2048. Django's server
# listens with one of 10, so on a loaded machine the tests that open 40 connections at once
# (the login lockout's race) had connections reset before they were accepted.
basehttp.WSGIServer.request_queue_size = 128

# The site runs without the simulation (FLYWHEEL_BOTS=false leaves the bots app out); its
# tests then have nothing to test, and the rest of the suite must pass without it.
collect_ignore = [] if "bots.apps.BotsConfig" in settings.INSTALLED_APPS else ["bots"]


@pytest.fixture
def password():
    return DEFAULT_PASSWORD


@pytest.fixture
def user(db):
    return UserFactory(username="ana", display_name="Ana Lima")


@pytest.fixture
def other_user(db):
    return UserFactory(username="ben", display_name="Ben Okafor")


@pytest.fixture
def staff_user(db):
    return UserFactory(username="staffer", is_staff=True, is_superuser=True)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def auth_client(user):
    """An API client signed in with the user's token."""
    client = APIClient()
    sign_in_api(client, user)
    return client


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Throttle counters and cached snapshots must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _reads_at_once(settings):
    """Tests activate versions and change arms, then read at once: no per-process staleness
    (flywheel.recent; tests/flywheel/test_recent.py tests the staleness itself)."""
    from flywheel.recent import forget_recent

    settings.FEED_SERVING_REFRESH_SECONDS = 0
    forget_recent()


@pytest.fixture(autouse=True)
def _rows_of_data_migrations(request):
    """A transactional test ends by emptying every table, and with them the rows our data
    migrations wrote (the feed arms, the default schedules). Put them back before each
    transactional test, so it starts from a migrated database like every other test."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        _replay_data_migrations()


def _replay_data_migrations():
    from django.apps import apps
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython

    global _DATA_MIGRATIONS
    if _DATA_MIGRATIONS is None:
        ours = {"accounts", "social", "events", "feeds", "ads", "analytics", "bots"}
        graph = MigrationLoader(connection).graph
        _DATA_MIGRATIONS = [
            operation.code
            for key in graph.leaf_nodes()
            for app, name in graph.forwards_plan(key)
            if app in ours
            for operation in graph.nodes[(app, name)].operations
            if isinstance(operation, RunPython)
        ]
        _DATA_MIGRATIONS = list(dict.fromkeys(_DATA_MIGRATIONS))  # once each, in order
    with connection.schema_editor() as editor:
        for forward in _DATA_MIGRATIONS:
            forward(apps, editor)


_DATA_MIGRATIONS = None


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session", autouse=True)
def _model_root(tmp_path_factory):
    """Model artifacts of the test run go to a temporary folder, never to var/models."""
    from django.conf import settings

    root = tmp_path_factory.mktemp("models")
    previous, settings.MODEL_ROOT = settings.MODEL_ROOT, root
    yield root
    settings.MODEL_ROOT = previous


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory, _model_root):
    """One real Celery worker for the session, on the test database and the test broker.

    Tests that use it must commit their data (``transactional_db``) so the worker sees it.
    """
    from flywheel.celery import app
    from tests.worker import WorkerProcess

    with app.connection_for_write() as conn:  # stale messages from an earlier run
        for queue in ("default", "training"):
            conn.default_channel.queue_purge(queue)
    worker = WorkerProcess(tmp_path_factory.mktemp("worker") / "worker.log").start()
    yield worker
    worker.stop()
