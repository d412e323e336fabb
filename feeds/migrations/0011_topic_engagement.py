"""Each person's views and reading time per hashtag, and each post's expected reading time
(feeds.topic_engagement), rolled up from the event log every minute; staff can change the
schedule in the admin."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from flywheel.schedules import periodic_task_operation


class Migration(migrations.Migration):

    dependencies = [
        ('feeds', '0010_posttombstone'),
        ('social', '0007_post_read_ms'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
    ]

    operations = [
        migrations.CreateModel(
            name='TopicEngagement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('views', models.PositiveBigIntegerField(default=0)),
                ('read_ms', models.PositiveBigIntegerField(default=0)),
                ('hashtag', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='social.hashtag')),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('user', 'hashtag'), name='topic_engagement_once')],
            },
        ),
        migrations.CreateModel(
            name="PostAudience",
            fields=[
                (
                    "post",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="social.post",
                    ),
                ),
                ("expected_ms", models.PositiveBigIntegerField(default=0)),
            ],
        ),
        periodic_task_operation(
            name="Add new views and reading time to people's hashtags",
            task="feeds.roll_up_topic_engagement",
            minutes=1,
        ),
    ]
