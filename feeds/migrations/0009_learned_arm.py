"""The home-feed experiment gains its fourth arm: the personalised arm's candidates, ordered
by the learned ranker (feeds.learned). Until a ranker version is active it orders them by
the hand blend, as the personalised arm does. The log of served posts it learns from is
pruned daily, as the event log is."""

from django.db import migrations

from flywheel.schedules import periodic_task_operation

NAME = "personalised-learned"


def create(apps, schema_editor):
    apps.get_model("feeds", "FeedArm").objects.get_or_create(
        name=NAME, defaults={"strategy": "learned", "weight": 1, "is_control": False}
    )


def remove(apps, schema_editor):
    apps.get_model("feeds", "FeedArm").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("feeds", "0008_served_candidates_and_ranker")]
    operations = [
        migrations.RunPython(create, remove),
        periodic_task_operation(
            name="Prune the served-posts log", task="feeds.prune_served", hours=24
        ),
    ]
