from django.conf import settings
from django.db import migrations, models

from flywheel.images import legacy_upload_rename_operation

# Uploads kept their uploader's file name (and so its extension, which decided the
# Content-Type they were served with): each gets a server-chosen name.


class Migration(migrations.Migration):

    dependencies = [
        ('social', '0002_post_search_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        legacy_upload_rename_operation("social", "Post", "image", "posts"),
        migrations.AddIndex(
            model_name='post',
            index=models.Index(condition=models.Q(('image', ''), _negated=True), fields=['image'], name='post_image'),
        ),
    ]
