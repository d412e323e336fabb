"""A GIN full-text index on post text, on PostgreSQL only (SQLite searches with LIKE)."""

from django.db import migrations

INDEX_SQL = (
    "CREATE INDEX IF NOT EXISTS social_post_text_search "
    "ON social_post USING gin (to_tsvector('english'::regconfig, text))"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX_SQL)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS social_post_text_search")


class Migration(migrations.Migration):
    dependencies = [("social", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
