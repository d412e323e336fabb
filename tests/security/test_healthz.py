"""Finding 8: /healthz was anonymous and unthrottled and put a Celery ping on the queue per
call, waiting up to 3 s. Anonymous callers now get the database's state, computed at most
once per HEALTH_CACHE_SECONDS; the worker ping needs staff or the health token."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from flywheel import health


@pytest.fixture(autouse=True)
def _fresh_public_health():
    health._public.update(at=float("-inf"), state=None)
    yield
    health._public.update(at=float("-inf"), state=None)


def _no_ping(*args, **kwargs):
    raise AssertionError("an anonymous /healthz must not ping the worker")


def test_anonymous_healthz_is_the_database_only_and_cached(live_server, monkeypatch, settings):
    settings.HEALTH_CACHE_SECONDS = 60
    monkeypatch.setattr(health, "worker_state", _no_ping)
    monkeypatch.setattr(health, "broker_state", _no_ping)
    probes = []
    database_state = health.database_state
    monkeypatch.setattr(health, "database_state", lambda: probes.append(1) or database_state())
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(lambda _: requests.get(f"{live_server.url}/healthz", timeout=10), range(40))
        )
    assert {answer.status_code for answer in answers} == {200}
    assert answers[0].json() == {
        "database": {"ok": True, "vendor": "postgresql"},
        "cache": {"ok": True},
        "ok": True,
    }
    assert len(probes) == 1  # 40 calls from 8 threads, one database probe


@pytest.mark.django_db
def test_the_worker_check_needs_staff_or_the_health_token(
    client, settings, staff_user, user, monkeypatch
):
    settings.HEALTH_TOKEN = "a-long-random-health-token"
    checked = []
    health_full = health.health

    def recording(**kwargs):
        checked.append(kwargs)
        return {**health_full(check_worker=False), "worker": {"ok": True}}

    monkeypatch.setattr("flywheel.views.health", recording)
    assert "worker" not in client.get("/healthz").json()
    assert "worker" not in client.get("/healthz", HTTP_X_HEALTH_TOKEN="wrong").json()
    client.force_login(user)
    assert "worker" not in client.get("/healthz").json()
    assert client.get("/healthz", HTTP_X_HEALTH_TOKEN=settings.HEALTH_TOKEN).json()["worker"]
    client.force_login(staff_user)
    assert client.get("/healthz").json()["broker"]["ok"] is True
    assert len(checked) == 2
