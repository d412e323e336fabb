"""A process killed in the middle of a rollup or an ad charge: nothing half-done is visible,
and the next run finishes. (The training case: tests/feeds, a killed run is reaped.)

To stop the process at a known point, the test holds a lock on a table the work writes last;
once the process waits on it, its earlier writes are done but not committed, and it is killed
with SIGKILL, as the kernel's OOM killer or a lost machine would."""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.utils import timezone

from ads.models import CampaignDay, LedgerEntry
from analytics.models import HourlyArmEngagement, HourlyTotals
from events.models import Event, EventKind
from tests.ads.helpers import launched
from tests.factories import AdvertiserFactory, UserFactory
from tests.worker import REPO, worker_environment

pytestmark = pytest.mark.django_db(transaction=True)


def _test_database_url() -> str:
    return worker_environment()["DATABASE_URL"]


@contextmanager
def _table_held(table: str):
    """Hold a lock that lets readers in and makes any writer to `table` wait."""
    with psycopg.connect(_test_database_url()) as holder:
        holder.execute(f'LOCK TABLE "{table}" IN SHARE MODE')
        yield holder
        holder.rollback()


def _wait_until_blocked_on(table: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    with psycopg.connect(_test_database_url(), autocommit=True) as probe:
        while time.monotonic() < deadline:
            waiting = probe.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database() AND query ILIKE %s",
                [f"%{table}%"],
            ).fetchone()[0]
            if waiting:
                return
            time.sleep(0.1)
    raise AssertionError(f"nothing came to wait on {table}")


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(child) for child in text.split()]


@pytest.mark.worker
def test_a_worker_killed_mid_rollup_leaves_no_half_and_the_task_runs_again(
    celery_worker_process,
):
    from analytics.tasks import rollup_recent

    Event.objects.create(kind=EventKind.LIKE, user=UserFactory(), post_id=1,
                         created_at=timezone.now())  # fmt: skip
    with _table_held(HourlyArmEngagement._meta.db_table):
        sent = rollup_recent.delay()
        # The totals row is written; the arms that belong with it wait for the lock.
        _wait_until_blocked_on(HourlyArmEngagement._meta.db_table)
        (child,) = _children(celery_worker_process.process.pid)
        os.kill(child, signal.SIGKILL)
        time.sleep(0.5)
        assert not HourlyTotals.objects.exists()  # the half that was written is not seen
    # Acknowledged only after it ran (acks_late), the message goes back to the queue when its
    # process dies, and the new process finishes the rollup.
    assert sent.get(timeout=60) >= 1
    assert HourlyTotals.objects.filter(events=1).count() == 1


def test_a_process_killed_mid_charge_moves_no_money_and_the_next_charge_succeeds():
    campaign = launched(AdvertiserFactory())
    script = (
        "from ads import billing\n"
        f"billing.charge(campaign_id={campaign.pk}, kind='click', amount_micros=250000,"
        " person_id=None)\n"
    )
    with _table_held(LedgerEntry._meta.db_table):
        charging = subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", script],
            cwd=REPO, env=worker_environment(), start_new_session=True,
        )  # fmt: skip
        try:
            # The campaign's spend and its day are updated; the ledger row waits.
            _wait_until_blocked_on(LedgerEntry._meta.db_table)
        finally:
            charging.send_signal(signal.SIGKILL)
            charging.wait()
    time.sleep(0.5)  # the server ends the dead client's transaction once it can go on
    campaign.refresh_from_db()
    assert campaign.spent_micros == 0
    assert not CampaignDay.objects.exists() and not LedgerEntry.objects.exists()

    from ads import billing

    assert billing.charge(campaign_id=campaign.pk, kind="click", amount_micros=250_000,
                          person_id=None) is not None  # fmt: skip
    campaign.refresh_from_db()
    assert (
        campaign.spent_micros
        == 250_000
        == sum(LedgerEntry.objects.values_list("amount_micros", flat=True))
    )
    assert CampaignDay.objects.get().clicks == 1
