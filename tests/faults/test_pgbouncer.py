"""The site's database paths work behind PgBouncer in transaction pooling (the pooler that
lets many web processes share few PostgreSQL connections: docs/scaling.md)."""

import shutil
import subprocess
import sys

import pytest
from django.db import connection

from tests.factories import UserFactory
from tests.faults.services import PgBouncer
from tests.worker import REPO, worker_environment

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        shutil.which("pgbouncer") is None, reason="pgbouncer is not installed (.ci/run installs it)"
    ),
]


@pytest.fixture
def pgbouncer():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    port = connection.settings_dict["PORT"] or 5432
    bouncer = PgBouncer(int(port)).start()
    yield bouncer
    bouncer.stop()


def _run_paths(bouncer: PgBouncer, pooling: bool) -> str:
    env = worker_environment()
    direct = env["DATABASE_URL"]
    name = direct.rsplit("/", 1)[1]
    env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{bouncer.port}/{name}"
    env["DATABASE_TRANSACTION_POOLING"] = "true" if pooling else "false"
    done = subprocess.run(
        [sys.executable, str(REPO / "tests" / "faults" / "pooled_paths.py")],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def test_prepared_statements_cursors_copy_and_locks_work_behind_pgbouncer(pgbouncer):
    UserFactory.create_batch(5)
    assert _run_paths(pgbouncer, pooling=True) == "ok"


def test_without_the_pooling_setting_the_same_paths_fail(pgbouncer):
    """What DATABASE_TRANSACTION_POOLING is for: set up for a direct connection, the site
    sends a startup option PgBouncer refuses (and would prepare statements that collide)."""
    UserFactory.create_batch(5)
    assert "unsupported startup parameter: options" in _run_paths(pgbouncer, pooling=False)
