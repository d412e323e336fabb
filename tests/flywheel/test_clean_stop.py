"""Ctrl-C on `make run`: every process stops within a few seconds, with no error lines, and
make exits quietly. Runs the real `make run` (web and a busy Celery worker under honcho)
against the test database, and interrupts it as a terminal would (SIGINT to its group)."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings

from flywheel.celery import app
from tests.worker import worker_environment

REPO = Path(__file__).resolve().parents[2]
QUEUE = f"clean-stop-{os.getpid()}"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(log: Path, words: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while words not in log.read_text():
        assert time.monotonic() < deadline, f"never saw {words!r}:\n{log.read_text()[-3000:]}"
        time.sleep(0.5)


def test_ctrl_c_stops_everything_quickly_and_quietly(tmp_path):
    procfile = tmp_path / "Procfile"
    procfile.write_text(
        "web: bash docker/entrypoint.sh web\nworker: bash docker/entrypoint.sh worker\n"
    )
    env = dict(
        worker_environment(),
        FLYWHEEL_VAR_DIR=str(tmp_path / "var"),
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        MIGRATE_ON_START="0",
        WORKER_CONCURRENCY="2",
        WORKER_QUEUES=QUEUE,  # a queue of its own: no other test's worker takes its tasks
        LOG_LEVEL="INFO",
    )
    log = tmp_path / "run.log"
    with open(log, "w") as out:
        make = subprocess.Popen(
            ["make", "run", f"PORT={free_port()}", f"PROCFILE={procfile}"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group, as a terminal's foreground job
        )
    try:
        wait_for(log, " ready.", timeout=90)  # the worker
        wait_for(log, "Booting worker", timeout=60)  # the web server
        # Keep the pool busy, as under `make run` with bots: Ctrl-C lands mid-task.
        for _ in range(4):
            app.send_task("analytics.rollup_late", queue=QUEUE)
        wait_for(log, "Task analytics.rollup_late[", timeout=30)
        os.killpg(make.pid, signal.SIGINT)
        started = time.monotonic()
        status = make.wait(timeout=30)
        took = time.monotonic() - started
    finally:
        if make.poll() is None:
            # honcho's processes have sessions of their own: ask honcho to stop them (a
            # SIGKILL of make's group would leave them running), and only then insist.
            os.killpg(make.pid, signal.SIGTERM)
            try:
                make.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(make.pid, signal.SIGKILL)
    output = log.read_text()
    stopped = output[output.index("SIGINT received") :]
    # A terminal's Ctrl-C reaches make too, which then ends by the same signal, silently;
    # what must not appear is make's complaint about its recipe ("Error 130").
    assert status in (0, -signal.SIGINT), output[-3000:]
    assert "make: ***" not in output
    # honcho kills what is still running 5 s after its SIGTERM: no SIGKILL means every
    # process stopped by itself within that (make's own end is measured more loosely, as
    # this machine may be busy).
    assert "SIGKILL" not in stopped, stopped[-3000:]
    assert took < 10, f"took {took:.1f} s:\n{stopped[-3000:]}"
    for bad in ("ERROR", "Traceback", "WorkerLostError", "exited with 'signal"):
        assert bad not in stopped, stopped[-3000:]
