"""Tombstones of deleted posts, written by a trigger on the post table (PostgreSQL), so the
recommender's trainable set is kept current without reading every post
(feeds.trainable_posts). On SQLite the trainable set is read whole, and no trigger is made.
The function and trigger are made with OR REPLACE: the test suite replays migrations' code.
A tombstone is stamped when the row was deleted (clock_timestamp), not when its transaction
began (now()), so a long transaction cannot stamp it earlier than readers look.
"""

from django.db import migrations, models

CREATE_TRIGGER = """
CREATE OR REPLACE FUNCTION feeds_post_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO feeds_posttombstone (post_id, deleted_at)
    SELECT id, clock_timestamp() FROM gone
    ON CONFLICT (post_id) DO UPDATE SET deleted_at = EXCLUDED.deleted_at;
    RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER feeds_post_tombstone AFTER DELETE ON social_post
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION feeds_post_tombstone();
"""

DROP_TRIGGER = """
DROP TRIGGER IF EXISTS feeds_post_tombstone ON social_post;
DROP FUNCTION IF EXISTS feeds_post_tombstone();
"""


def run_on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("feeds", "0009_learned_arm"),
        ("social", "0004_post_post_hidden"),
    ]

    operations = [
        migrations.CreateModel(
            name="PostTombstone",
            fields=[
                ("post_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("deleted_at", models.DateTimeField(db_index=True)),
            ],
        ),
        migrations.RunPython(run_on_postgresql(CREATE_TRIGGER), run_on_postgresql(DROP_TRIGGER)),
    ]
