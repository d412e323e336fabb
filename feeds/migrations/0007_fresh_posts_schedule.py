"""New posts get vectors from the active version every 30 s (feeds.fresh_posts): with web
processes looking every 10 s, a post's first like reaches them within a minute."""

from django.db import migrations

from flywheel.schedules import periodic_task_operation


class Migration(migrations.Migration):
    dependencies = [("feeds", "0006_warm_from")]
    operations = [
        periodic_task_operation(
            name="Fold new posts into the feed model", task="feeds.fold_in_fresh_posts", seconds=30
        )
    ]
