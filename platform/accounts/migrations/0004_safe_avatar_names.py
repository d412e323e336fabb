from django.db import migrations, models

from flywheel.images import rename_legacy_uploads


def rename_unsafe_names(apps, schema_editor):
    """Uploads kept their uploader's file name (and so its extension, which decided the
    Content-Type they were served with): give each a server-chosen name."""
    rename_legacy_uploads(apps.get_model("accounts", "User"), "avatar", "avatars")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_drop_plain_text_api_tokens'),
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        migrations.RunPython(rename_unsafe_names, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='user',
            index=models.Index(condition=models.Q(('avatar', ''), _negated=True), fields=['avatar'], name='user_avatar'),
        ),
    ]
