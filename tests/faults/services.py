"""Services of a test's own, on spare ports, that the test stops and starts: a fault test
must never stop the shared Redis or PostgreSQL other tests (and other runs) use."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from tests.worker import stop_process

PG_BIN = Path("/usr/lib/postgresql/15/bin")
REPO = Path(__file__).resolve().parents[2]


def spare_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


class RedisServer:
    """redis-server without persistence: a restart starts empty, as a lost cache does."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = spare_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: _answers(self.port), "redis-server starting")
        return self

    def stop(self) -> None:
        stop_process(self.process, timeout=10)
        wait_until(lambda: not _answers(self.port), "redis-server stopping")

    def keys(self) -> int:
        out = subprocess.run(
            ["redis-cli", "-p", str(self.port), "-n", "0", "dbsize"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        return int(out.stdout.strip())


class PostgresCluster:
    """A throwaway PostgreSQL cluster (initdb + pg_ctl) on a spare port. PostgreSQL refuses
    to run as root, so as root it runs as the `postgres` system user."""

    def __init__(self):
        # Not under pytest's tmp_path: its folders are private to root, and the server runs as
        # postgres.
        self.directory = Path(tempfile.mkdtemp(prefix="flywheel-faults-pg-"))
        self.data = self.directory / "pgdata"
        self.port = spare_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        if self.as_root:
            command = ("runuser", "-u", "postgres", "--", *command)
        return subprocess.run(command, capture_output=True, text=True, check=check)

    def init(self) -> "PostgresCluster":
        if self.as_root:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "--no-sync", "-E", "UTF8")  # fmt: skip
        return self

    def start(self) -> "PostgresCluster":
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "log"),
            "-o", f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            "-w", "start",
        )  # fmt: skip
        return self

    def stop(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop",
                  check=False)  # fmt: skip

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        out = subprocess.run(
            ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", self.url(database), "-c", sql],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        return out.stdout.strip()


def redis_list_length(server: RedisServer, name: str) -> int:
    out = subprocess.run(
        ["redis-cli", "-p", str(server.port), "-n", "0", "llen", name],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return int(out.stdout.strip())


class WebServer:
    """gunicorn serving the site as production does (one process, two threads)."""

    def __init__(self, log_path: Path, environment: dict):
        self.log_path = log_path
        self.environment = environment
        self.port = spare_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "WebServer":
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "flywheel.wsgi:application",
             "--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "2",
             "--timeout", "30"],
            cwd=REPO, env=self.environment, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        up = lambda: _answers(self.port) or self.process.poll() is not None  # noqa: E731
        wait_until(up, "gunicorn up", 60)
        if self.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{self.log_path.read_text()[-3000:]}")
        return self

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()

    def boots(self) -> int:
        """How many worker processes gunicorn started (a restart would be a second)."""
        return self.log_path.read_text().count("Booting worker")


def site_environment(var_dir: Path, database_url: str, **extra: str) -> dict:
    """A process of the site on its own database, broker folder and in-memory cache."""
    env = dict(os.environ)
    env.pop("CELERY_RESULT_BACKEND", None)
    env.update(
        DJANGO_SETTINGS_MODULE="flywheel.settings",
        FLYWHEEL_DEVELOPMENT="true",
        FLYWHEEL_VAR_DIR=str(var_dir),
        DATABASE_URL=database_url,
        CACHE_URL="locmemcache://",
        CELERY_BROKER_URL="filesystem://",
    )
    env.update(extra)
    return env


class S3Server:
    """moto's standalone S3 server: the real S3 protocol over HTTP, in memory."""

    def __init__(self, log_path: Path):
        self.log_path = log_path
        self.port = spare_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "S3Server":
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_until(lambda: _answers(self.port), "moto server starting", 30)
        return self

    def stop(self) -> None:
        stop_process(self.process, timeout=10)
        self.log.close()


class CuttingProxy:
    """A TCP proxy that passes requests on and cuts every answer after `limit` bytes: a
    download interrupted half way, as a dropped connection does it."""

    def __init__(self, upstream_port: int, limit: int):
        self.upstream_port = upstream_port
        self.limit = limit
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cuts = 0
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            threading.Thread(target=self._pipe, args=(client, upstream, None), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, self.limit),
                             daemon=True).start()  # fmt: skip

    def _pipe(self, source: socket.socket, target: socket.socket, limit: int | None) -> None:
        sent = 0
        try:
            while chunk := source.recv(65536):
                if limit is not None and sent + len(chunk) > limit:
                    target.sendall(chunk[: limit - sent])
                    self.cuts += 1
                    break
                target.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass
        for end in (source, target):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()

    def close(self) -> None:
        self.listener.close()


class PgBouncer:
    """PgBouncer in transaction pooling with ONE server connection in front of a PostgreSQL:
    every client's transactions take turns on it, which is what exposes session state that
    does not survive a transaction. Like PostgreSQL it will not run as root."""

    def __init__(self, upstream_port: int):
        self.directory = Path(tempfile.mkdtemp(prefix="flywheel-faults-pgbouncer-"))
        self.port = spare_port()
        (self.directory / "users.txt").write_text('"postgres" ""\n')
        (self.directory / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host=127.0.0.1 port={upstream_port}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {self.directory / 'users.txt'}\n"
            "pool_mode = transaction\ndefault_pool_size = 1\nmax_client_conn = 50\n"
            f"logfile = {self.directory / 'log'}\n"
        )
        self.process: subprocess.Popen | None = None

    def start(self) -> "PgBouncer":
        command = ["pgbouncer", str(self.directory / "pgbouncer.ini")]
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
            for path in self.directory.iterdir():
                shutil.chown(path, "postgres", "postgres")
            command = ["runuser", "-u", "postgres", "--", *command]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        wait_until(lambda: _answers(self.port) or self.process.poll() is not None, "pgbouncer up")
        if self.process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited: {(self.directory / 'log').read_text()}")
        return self

    def stop(self) -> None:
        stop_process(self.process, timeout=10)
        shutil.rmtree(self.directory, ignore_errors=True)


def wait_until(condition, what: str, timeout: float = 30) -> None:
    """Poll `condition` until it holds; fail the test saying `what` did not happen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {timeout:g} s")


def pings_waiting(server: RedisServer) -> int:
    """`flywheel.ping` messages waiting in the broker's default queue (nobody consumes them)."""
    listed = subprocess.run(
        ["redis-cli", "-p", str(server.port), "-n", "0", "lrange", "default", "0", "-1"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return listed.stdout.count('"flywheel.ping"')


class BeatProcess:
    """celery beat with the database scheduler, as docker/entrypoint.sh runs it."""

    def __init__(self, directory: Path, environment: dict):
        self.directory = directory
        self.environment = environment
        self.process: subprocess.Popen | None = None

    def start(self) -> "BeatProcess":
        self.log = open(self.directory / "beat.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "flywheel", "beat", "--loglevel", "INFO",
             "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler", "--pidfile=",
             "--schedule", str(self.directory / "beat-schedule")],
            cwd=REPO, env=self.environment, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        return self

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        stop_process(self.process)
        self.log.close()
