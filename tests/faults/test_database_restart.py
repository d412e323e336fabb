"""PostgreSQL restarts under a running site: requests in between answer 503 with a message,
and the same web, worker and beat processes carry on once it is back, with no restart."""

import subprocess
import sys
import time

import pytest
import requests
from celery import Celery

from tests.faults.services import (
    BeatProcess,
    WebServer,
    pings_waiting,
    site_environment,
    wait_until,
)
from tests.worker import REPO, WorkerProcess

MESSAGE = "cannot reach its database"


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
        # Not the current app: the shared tasks of later tests must keep sending to theirs.
        client = Celery(broker=f"{own_broker.url}/0", set_as_current=False)
        own_postgres.stop()
        sent = client.send_task("analytics.rollup_recent", queue="default")
        log = worker.log_path
        wait_until(lambda: f"{sent.id}] retry" in log.read_text(), "a retry")
        own_postgres.start()
        wait_until(lambda: f"{sent.id}] succeeded" in log.read_text(), "success")
    finally:
        worker.stop()


def test_beat_carries_on_through_a_database_restart(own_postgres, own_broker, tmp_path):
    env = site_environment(
        tmp_path, own_postgres.url("flywheel"), CELERY_BROKER_URL=f"{own_broker.url}/0"
    )
    schedule = (
        "from django_celery_beat.models import IntervalSchedule, PeriodicTask\n"
        "every, _ = IntervalSchedule.objects.get_or_create(every=1, period='seconds')\n"
        "PeriodicTask.objects.update(enabled=False)\n"
        "PeriodicTask.objects.create(name='ping', task='flywheel.ping', interval=every)\n"
    )
    subprocess.run([sys.executable, "manage.py", "shell", "-c", schedule], cwd=REPO, env=env,
                   check=True, capture_output=True)  # fmt: skip
    beat = BeatProcess(tmp_path, env).start()
    try:
        wait_until(lambda: pings_waiting(own_broker) >= 1, "a first ping")
        own_postgres.stop()
        time.sleep(3)  # beat's scheduler cannot read or save its schedule meanwhile
        own_postgres.start()
        before = pings_waiting(own_broker)
        wait_until(lambda: pings_waiting(own_broker) >= before + 2, "pings after the restart")
        assert beat.running()
    finally:
        beat.stop()
