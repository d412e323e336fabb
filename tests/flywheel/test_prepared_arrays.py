"""Lists sent as one array literal (flywheel.prepared.IntArray, BytesArray) reach
PostgreSQL as the same arrays psycopg's own list dumper sends; prepared statements are logged
with their SQL like any other."""

import pytest

from flywheel.prepared import BytesArray, IntArray, prepared_cursor

pytestmark = pytest.mark.django_db


def echo(sql: str, **params):
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def test_integers_arrive_as_a_bigint_array():
    ids = [3, -7, 0, 2**62, 42]
    assert echo("SELECT %(ids)s::bigint[]", ids=IntArray(ids)) == (ids,)
    assert echo("SELECT 42 = ANY(%(ids)s), 5 = ANY(%(ids)s)", ids=IntArray(ids)) == (True, False)
    assert echo("SELECT %(ids)s::smallint[]", ids=IntArray([1, 2])) == ([1, 2],)
    assert echo("SELECT cardinality(%(ids)s::bigint[])", ids=IntArray()) == (0,)


def test_only_integers_are_sent():
    with pytest.raises(ValueError):
        echo("SELECT %(ids)s::bigint[]", ids=IntArray(["1}, {2"]))


def test_bytes_arrive_unchanged_whatever_they_hold():
    values = [bytes(range(256)), b"", b'"\\{},', b"\x00" * 68]
    assert echo("SELECT %(rows)s::bytea[]", rows=BytesArray(values)) == (values,)


def test_prepared_statements_are_logged_with_their_sql(django_assert_num_queries):
    with django_assert_num_queries(2) as captured:
        for _ in range(2):  # prepared on the first run, run by name on the second
            assert echo("SELECT %(n)s::int + 1 AS next_one", n=41) == (42,)
    assert [query["sql"] for query in captured.captured_queries] == [
        "SELECT $1::int + 1 AS next_one"
    ] * 2
