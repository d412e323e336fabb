import pytest
from rest_framework.test import APIClient

from tests.factories import DEFAULT_PASSWORD, UserFactory


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
    from rest_framework.authtoken.models import Token

    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Throttle counters and cached snapshots must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


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
