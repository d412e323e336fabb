"""New posts get vectors from the active version every minute (feeds.fresh_posts)."""

from django.db import migrations

from flywheel.schedules import periodic_task_operation


class Migration(migrations.Migration):
    dependencies = [("feeds", "0006_warm_from")]
    operations = [
        periodic_task_operation(
            name="Fold new posts into the feed model", task="feeds.fold_in_fresh_posts", minutes=1
        )
    ]
