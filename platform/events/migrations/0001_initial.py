"""The event log moves here from analytics, keeping its table: state only, no rows copied.

The table `analytics_event` is created by analytics' own migrations (0001, last altered by
0007), which run first; this migration only tells Django that the model now belongs to
`events`. analytics 0009 then drops it from analytics' state, also without touching the table,
and moves its content type (admin history, permissions) here.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("analytics", "0007_following_surface"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Event",
                    fields=[
                        ("id", models.BigAutoField(primary_key=True, serialize=False)),
                        ("kind", models.PositiveSmallIntegerField(choices=[(1, "impression"), (2, "dwell"), (3, "click"), (4, "like"), (5, "unlike"), (6, "share"), (7, "unshare"), (8, "comment"), (9, "follow"), (10, "unfollow"), (11, "post"), (12, "search"), (13, "group join"), (14, "group leave"), (15, "ad impression"), (16, "ad click"), (17, "signup"), (18, "login"), (19, "profile view"), (20, "ad slots")])),
                        ("post_id", models.BigIntegerField(blank=True, null=True)),
                        ("target_user_id", models.BigIntegerField(blank=True, null=True)),
                        ("group_id", models.BigIntegerField(blank=True, null=True)),
                        ("campaign_id", models.BigIntegerField(blank=True, null=True)),
                        ("dwell_ms", models.PositiveIntegerField(blank=True, null=True)),
                        ("surface", models.CharField(blank=True, choices=[("home", "Home feed, For you"), ("following", "Home feed, Following"), ("explore", "Explore"), ("profile", "Profile"), ("group", "Group"), ("search", "Search"), ("post", "Post page"), ("hashtag", "Hashtag"), ("notifications", "Notifications"), ("api", "API"), ("", "Other")], default="", max_length=16)),
                        ("position", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("model_version", models.PositiveIntegerField(blank=True, null=True)),
                        ("arm", models.CharField(blank=True, default="", max_length=32)),
                        ("query", models.CharField(blank=True, default="", max_length=100)),
                        ("result_count", models.PositiveIntegerField(blank=True, null=True)),
                        ("client_key", models.CharField(blank=True, help_text="Client idempotency key.", max_length=64, null=True)),
                        ("created_at", models.DateTimeField(db_index=True)),
                        ("user", models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="events", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "analytics_event",
                        "indexes": [models.Index(fields=["user", "created_at"], name="event_user_time")],
                        "constraints": [models.UniqueConstraint(condition=models.Q(("client_key__isnull", False)), fields=("user", "client_key"), name="event_client_key_once_per_user")],
                    },
                ),
            ],
        ),
    ]
