"""Statements prepared once per database connection (PostgreSQL), for the hottest reads.

Django binds parameters on the client and so the server plans every query again; for a
large statement run on every page, planning is a good share of its cost. A cursor from
`prepared_cursor()` binds on the server and prepares each statement on its first run on a
connection (persistent connections keep it), and goes through Django's cursor wrapper, so
query counting, logging and execute wrappers still see it. Statements use %(name)s
placeholders; lists travel as arrays (`= ANY(%(ids)s)`).

Django opens psycopg connections with `prepare_threshold=None`, under which psycopg prepares
nothing even when asked (`prepare=True`), so the settings set OPTIONS["prepare_threshold"]
(Django's own cursors bind on the client and are still never prepared), and
`plan_cache_mode=force_generic_plan`, which touches prepared statements only: left to
choose, PostgreSQL kept planning the candidate statement afresh (8 ms) on every run. Results
come back in binary (timestamps load at half the cost of parsing text). Measured on the
5,000-person bench world: the candidate statement 20 ms unprepared (8 ms of it planning),
about 4 ms prepared (1 ms of it our Python); a page's rows 1.5 ms, 0.3 ms.

Behind PgBouncer in transaction pooling (DATABASE_TRANSACTION_POOLING) they must not be: a
statement prepared on one server connection is not there on the next transaction's, and two
clients sharing one both name theirs `_pg3_0` ("already exists"). PgBouncer 1.21's
max_prepared_statements would lift this; Debian 12 ships 1.18.
"""

from contextlib import contextmanager
from functools import cache

import psycopg
from django.conf import settings
from django.db import connection
from psycopg.adapt import Dumper


def instance_from(model, values: dict):
    """A model instance from a prepared statement's values by attribute name, as the ORM
    would load it with `.only()` of those fields: the fields left out are deferred (loaded on
    first use)."""
    loaded = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    # from_db takes the values in the model's field order
    return model.from_db(connection.alias, loaded, [values[name] for name in loaded])


@cache  # one class, not one per statement run (a class built costs about 35 us)
def _prepared_cursor_class():
    import psycopg

    class PreparedCursor(psycopg.Cursor):
        results_in_binary = True

        def execute(self, query, params=None, *, prepare=None, binary=None):
            if prepare is None:
                prepare = not settings.DATABASE_TRANSACTION_POOLING
            if binary is None:
                binary = self.results_in_binary
            return super().execute(query, params, prepare=prepare, binary=binary)

        def _convert_query(self, query, params=None):
            # Keep the statement as sent (placeholders $1, $2...): Django's query log reads
            # it from `_query`, which psycopg keeps for client-side cursors only, and would
            # otherwise record None as the SQL (django_assert_num_queries -v, the debug page).
            self._query = super()._convert_query(query, params)
            return self._query

    return PreparedCursor


@contextmanager
def prepared_cursor(*, binary: bool = True):
    """A cursor whose statements are prepared. Results come in binary (timestamps load at
    half the cost of text) unless `binary=False`: then each value is what Django's own
    loaders give (jsonb as text, for a JSONField's from_db_value)."""
    connection.ensure_connection()
    raw = _prepared_cursor_class()(connection.connection)
    raw.results_in_binary = binary
    cursor = connection._prepare_cursor(raw)
    try:
        yield cursor
    finally:
        cursor.close()


# Lists as parameters. psycopg's list dumper looks at every element in Python: 240 us for
# the 300 ids of a first page's candidates, 110 us for a page's 20 feature rows. These send
# the same array as one text literal built in C (`str.join`, `bytes.hex`): 52 and 14 us
# for the same lists. Hot statements wrap their lists (`= ANY(%(ids)s)` takes either).


class IntArray(list):
    """A list of integers, sent as a bigint[]."""


class BytesArray(list):
    """A list of bytes, sent as a bytea[]."""


class IntArrayDumper(Dumper):
    oid = psycopg.postgres.types["int8"].array_oid

    def dump(self, obj):
        return ("{" + ",".join(map(str, map(int, obj))) + "}").encode()


class BytesArrayDumper(Dumper):
    oid = psycopg.postgres.types["bytea"].array_oid

    def dump(self, obj):
        # Each element in bytea's hex form, quoted, its backslash escaped for the array.
        return ("{" + ",".join(f'"\\\\x{bytes(item).hex()}"' for item in obj) + "}").encode()


psycopg.adapters.register_dumper(IntArray, IntArrayDumper)
psycopg.adapters.register_dumper(BytesArray, BytesArrayDumper)
