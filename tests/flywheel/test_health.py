import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flywheel.health import worker_state

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_reports_database_and_broker_up(client, settings):
    settings.HEALTH_TOKEN = "health-check-secret"
    response = client.get("/healthz?worker=0", HTTP_X_HEALTH_TOKEN="health-check-secret")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["database"] == {"ok": True, "vendor": "postgresql"}
    assert body["broker"]["ok"] is True
    assert "worker" not in body


def test_worker_state_says_when_no_worker_answers():
    # A queue that no worker consumes: whatever else runs, nobody can answer this ping.
    state = worker_state(timeout=1, queue="flywheel-test-nobody-listens")
    assert state == {"ok": False, "error": "no worker answered within 1 s"}


def test_healthz_answers_503_when_the_database_is_down(tmp_path):
    """A real Django process pointed at a PostgreSQL port where nothing listens."""
    code = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz?worker=0');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    env = dict(
        os.environ,
        DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere",
        FLYWHEEL_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="flywheel.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 503
    assert answer["body"]["ok"] is False
    assert answer["body"]["database"]["ok"] is False
    assert answer["body"]["database"]["error"]


def test_healthz_sees_a_live_worker(celery_worker_process, transactional_db, client, staff_user):
    client.force_login(staff_user)
    body = client.get("/healthz").json()
    assert body["worker"] == {"ok": True}, celery_worker_process.log_path.read_text()[-2000:]


def test_livez_answers_without_touching_the_database(client):
    # No database fixture: any query here would fail the test.
    response = client.get("/livez")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
