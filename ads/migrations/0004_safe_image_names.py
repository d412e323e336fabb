from django.conf import settings
from django.db import migrations, models

from flywheel.images import legacy_upload_rename_operation

# Uploads kept their uploader's file name (and so its extension, which decided the
# Content-Type they were served with): each gets a server-chosen name.


class Migration(migrations.Migration):

    dependencies = [
        ('ads', '0003_ledger_outlives_campaigns'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        legacy_upload_rename_operation("ads", "Creative", "image", "ads"),
        migrations.AddIndex(
            model_name='creative',
            index=models.Index(condition=models.Q(('image', ''), _negated=True), fields=['image'], name='creative_image'),
        ),
    ]
