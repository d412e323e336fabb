"""Statements prepared once per database connection (PostgreSQL), for the hottest reads.

Django binds parameters on the client and so the server plans every query again; for a
large statement run on every page, planning is a good share of its cost. A cursor from
`prepared_cursor()` binds on the server and prepares each statement on its first run on a
connection (persistent connections keep it), and goes through Django's cursor wrapper, so
query counting, logging and execute wrappers still see it. Statements use %(name)s
placeholders; lists travel as arrays (`= ANY(%(ids)s)`).
"""

from contextlib import contextmanager

from django.db import connection


def _prepared_cursor_class():
    import psycopg

    class PreparedCursor(psycopg.Cursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(
                query, params, prepare=True if prepare is None else prepare, binary=binary
            )

    return PreparedCursor


@contextmanager
def prepared_cursor():
    connection.ensure_connection()
    raw = _prepared_cursor_class()(connection.connection)
    cursor = connection._prepare_cursor(raw)
    try:
        yield cursor
    finally:
        cursor.close()
