"""Embedded defaults: what runs when no DATABASE_URL or CELERY_BROKER_URL is set.

Kept apart from settings so that the tuning that lets several processes share one SQLite
file and one filesystem broker folder is written down in one place and can be tested.
"""

from pathlib import Path


def sqlite_database(path: Path) -> dict:
    """SQLite tuned for web, worker and beat processes writing to one file at once.

    WAL lets readers work while one process writes; the busy timeout makes a writer wait for
    the lock instead of failing; IMMEDIATE transactions take the write lock at BEGIN, so two
    transactions never both read and then deadlock when each tries to upgrade to a writer.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=20000;"
                "PRAGMA foreign_keys=ON"
            ),
        },
        "TEST": {"NAME": str(path.with_name("test-flywheel.sqlite3"))},
    }


def broker_transport_options(folder: Path) -> dict:
    """Kombu's filesystem transport: one folder for messages in, out and broadcast control."""
    for sub in ("queue", "processed"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "control_folder": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
    }


def filesystem_result_backend(folder: Path) -> str:
    """Celery's file result backend, so a caller can wait for a task's answer without Redis."""
    folder.mkdir(parents=True, exist_ok=True)
    return f"file://{folder}"
