"""Run by test_pgbouncer.py in a process of its own, through PgBouncer: the database paths
that could depend on a session (statements prepared by flywheel.prepared, .iterator()'s
server-side cursors, binary COPY, transaction advisory locks), from two threads whose
connections take turns on PgBouncer's one server connection. Prints "ok" or the errors."""

import threading

import django

django.setup()

from django.db import connection  # noqa: E402

from accounts import services  # noqa: E402
from accounts.models import User  # noqa: E402
from feeds.matrix import copy_ids  # noqa: E402
from flywheel.prepared import prepared_cursor  # noqa: E402

turns = threading.Barrier(2, timeout=30)
errors: list[str] = []


def paths(name: str) -> None:
    try:
        for above in range(3):
            turns.wait()  # both threads prepare on the one server connection in turn
            with prepared_cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM accounts_user WHERE id > %(above)s", {"above": above}
                )
                cursor.fetchone()
            turns.wait()
            ids = []
            for user in User.objects.order_by("id").iterator(chunk_size=2):
                ids.append(user.pk)
            turns.wait()
            assert sorted(copy_ids("SELECT id FROM accounts_user").tolist()) == ids
            services.login_reserve_attempt(username=name, address="127.0.0.1")
    except Exception as error:
        errors.append(f"{name}: {type(error).__name__}: {error}")
        turns.abort()
    finally:
        connection.close()


threads = [threading.Thread(target=paths, args=(name,)) for name in ("ana", "bo")]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("\n".join(errors) or "ok")
