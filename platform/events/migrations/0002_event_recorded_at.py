"""The server's own time of each event's insert, for settling the log (feeds.matrix_store).

`created_at` is when the person acted, and a beacon may carry it up to a day back; nothing in
it says when the row went in, so it cannot tell which ids are safely committed. On
PostgreSQL the column is added without a default first (old rows stay NULL: they were all
committed before this ran, as ALTER TABLE waits for every open writer), then given
`clock_timestamp()` as its default, so the table of millions of rows is not rewritten. It is
not a model field: Django never writes it, and SQLite, one writer at a time, needs no settling.
"""

from django.db import migrations

ADD = [
    "ALTER TABLE analytics_event ADD COLUMN IF NOT EXISTS recorded_at timestamptz",
    "ALTER TABLE analytics_event ALTER COLUMN recorded_at SET DEFAULT clock_timestamp()",
]
DROP = ["ALTER TABLE analytics_event DROP COLUMN IF EXISTS recorded_at"]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [migrations.RunPython(run(ADD), run(DROP))]
