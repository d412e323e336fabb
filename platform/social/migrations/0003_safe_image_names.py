from django.conf import settings
from django.db import migrations, models

from flywheel.images import rename_legacy_uploads


def rename_unsafe_names(apps, schema_editor):
    """Uploads kept their uploader's file name (and so its extension, which decided the
    Content-Type they were served with): give each a server-chosen name."""
    rename_legacy_uploads(apps.get_model("social", "Post"), "image", "posts")


class Migration(migrations.Migration):

    dependencies = [
        ('social', '0002_post_search_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(rename_unsafe_names, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='post',
            index=models.Index(condition=models.Q(('image', ''), _negated=True), fields=['image'], name='post_image'),
        ),
    ]
