"""PostgreSQL restarts under a running site: requests in between answer 503 with a message,
and the same web and worker processes carry on once it is back, with no restart."""

import time

import pytest
import requests
from celery import Celery

from tests.faults.services import WebServer, site_environment
from tests.worker import WorkerProcess

MESSAGE = "cannot reach its database"


def _wait_for(condition, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("did not happen in time")


@pytest.fixture
def site(own_postgres, tmp_path):
    web = WebServer(tmp_path / "web.log", site_environment(tmp_path, own_postgres.url("flywheel")))
    yield web.start()
    web.stop()


def test_requests_during_a_restart_are_503_and_the_process_recovers(own_postgres, site):
    signed_up = requests.post(
        f"{site.url}/api/auth/signup/",
        json={"username": "survivor", "password": "a long password"},
        timeout=10,
    )
    assert signed_up.status_code == 201, signed_up.text
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {signed_up.json()['token']}"
    assert api.post(f"{site.url}/api/posts/", json={"text": "before"}, timeout=10).ok

    own_postgres.stop()
    for answer in (
        api.get(f"{site.url}/api/posts/", timeout=10),
        api.post(f"{site.url}/api/posts/", json={"text": "during"}, timeout=10),
    ):
        assert answer.status_code == 503
        assert MESSAGE in answer.json()["detail"]
        assert int(answer.headers["Retry-After"]) > 0
    page = requests.get(f"{site.url}/explore/", timeout=10)
    assert page.status_code == 503
    assert page.headers["Content-Type"].startswith("text/html")
    assert MESSAGE in page.text and "Traceback" not in page.text

    own_postgres.start()
    assert api.get(f"{site.url}/api/posts/", timeout=10).status_code == 200
    assert api.post(f"{site.url}/api/posts/", json={"text": "after"}, timeout=10).status_code == 201
    assert requests.get(f"{site.url}/explore/", timeout=10).status_code == 200
    assert own_postgres.psql("SELECT string_agg(text, ',' ORDER BY id) FROM social_post",
                             "flywheel") == "before,after"  # fmt: skip
    assert site.boots() == 1  # the same process, never restarted


def test_a_task_retries_while_the_database_is_away(own_postgres, own_broker, tmp_path):
    env = site_environment(
        tmp_path, own_postgres.url("flywheel"), CELERY_BROKER_URL=f"{own_broker.url}/0"
    )
    worker = WorkerProcess(tmp_path / "worker.log", queues="default", environment=env).start()
    try:
        client = Celery(broker=f"{own_broker.url}/0")
        own_postgres.stop()
        sent = client.send_task("analytics.rollup_recent", queue="default")
        log = worker.log_path
        _wait_for(lambda: f"{sent.id}] retry" in log.read_text())
        own_postgres.start()
        _wait_for(lambda: f"{sent.id}] succeeded" in log.read_text())
    finally:
        worker.stop()
