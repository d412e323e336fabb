"""Posts keep their text rendered as HTML (social.text_html). Both columns are nullable with
no default and no check, so adding them rewrites and scans nothing; posts written before
are rendered when first shown."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('social', '0004_post_post_hidden'),
    ]

    operations = [
        migrations.AddField(
            model_name='post',
            name='text_html',
            field=models.TextField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='post',
            name='text_html_version',
            field=models.SmallIntegerField(blank=True, editable=False, null=True),
        ),
    ]
