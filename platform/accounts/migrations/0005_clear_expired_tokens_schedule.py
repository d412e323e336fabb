from django.db import migrations

from flywheel.schedules import periodic_task_operation


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_safe_avatar_names"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [
        periodic_task_operation(
            name="Forget expired API tokens", task="accounts.clear_expired_tokens", hours=24
        )
    ]
