"""A real Celery worker process for tests whose behaviour depends on one."""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

REPO = Path(__file__).resolve().parents[1]


def stop_process(process: subprocess.Popen | None, timeout: float = 20) -> None:
    """Ask a test's own server process to stop; kill it if it has not within `timeout`."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def worker_environment() -> dict:
    """The environment of this test run, pointed at the test database pytest-django made."""
    db = settings.DATABASES["default"]
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="flywheel.settings")
    if connection.vendor == "postgresql":
        user = db.get("USER") or "postgres"
        host = db.get("HOST") or "127.0.0.1"
        port = db.get("PORT") or 5432
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        env["DATABASE_URL"] = f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"
    env["MODEL_ROOT"] = str(settings.MODEL_ROOT)
    env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
    return env


class WorkerProcess:
    def __init__(
        self, log_path: Path, queues: str = "default,training", environment: dict | None = None
    ):
        self.log_path = log_path
        self.queues = queues
        self.environment = environment
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "WorkerProcess":
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "flywheel",
                "worker",
                "-Q",
                self.queues,
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"test-{os.getpid()}@%h",
            ],
            cwd=REPO,
            env=self.environment or worker_environment(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.log_path.read_text()[-3000:]}")
            if " ready." in self.log_path.read_text():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"worker did not start:\n{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()
