"""Run the site under gunicorn for a benchmark, on the bench database, and stop it after."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


class Gunicorn:
    """gunicorn with the same settings the entrypoint uses, bound to a local port."""

    def __init__(self, port: int | None = None, workers: int = 2, threads: int = 4, env=None):
        # BENCH_PORT lets two benchmarks share a machine.
        self.port = port or int(os.environ.get("BENCH_PORT", "8765"))
        self.args = [
            sys.executable, "-m", "gunicorn", "flywheel.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
            "--threads", str(threads), "--log-level", "warning",
        ]  # fmt: skip
        self.env = {**os.environ, **(env or {})}
        self.process = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.process = subprocess.Popen(self.args, cwd=REPO, env=self.env, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/healthz?worker=0", timeout=1).read()
                return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
