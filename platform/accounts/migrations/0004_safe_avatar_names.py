from django.db import migrations, models

from flywheel.images import legacy_upload_rename_operation

# Uploads kept their uploader's file name (and so its extension, which decided the
# Content-Type they were served with): each gets a server-chosen name.


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_drop_plain_text_api_tokens'),
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        legacy_upload_rename_operation("accounts", "User", "avatar", "avatars"),
        migrations.AddIndex(
            model_name='user',
            index=models.Index(condition=models.Q(('avatar', ''), _negated=True), fields=['avatar'], name='user_avatar'),
        ),
    ]
