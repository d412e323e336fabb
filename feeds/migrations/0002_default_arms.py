"""The home-feed experiment starts with three arms, the first the control."""

from django.db import migrations

ARMS = [
    ("chronological", "chronological", 1, True),
    ("personalised", "personalised", 1, False),
    ("personalised-diverse", "diverse", 1, False),
]


def create(apps, schema_editor):
    arm_model = apps.get_model("feeds", "FeedArm")
    for name, strategy, weight, control in ARMS:
        arm_model.objects.get_or_create(
            name=name, defaults={"strategy": strategy, "weight": weight, "is_control": control}
        )


def remove(apps, schema_editor):
    apps.get_model("feeds", "FeedArm").objects.filter(name__in=[a[0] for a in ARMS]).delete()


class Migration(migrations.Migration):
    dependencies = [("feeds", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
