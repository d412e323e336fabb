"""Engagement on For you alone (surface home): impressions, likes, shares, comments, clicks
and dwell per arm, which the experiments compare arms on.

Rows rolled up before reactions recorded their surface keep NULL in these columns: where
their likes, shares and comments happened is not known, so the experiments leave them out
of the For-you rates (the page says how many) instead of counting their reactions as zero.
A rerun of such a period leaves them NULL too (analytics.engagement: a window whose
reactions carry no surface). The all-surface columns keep their meaning.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0009_event_moved_to_events'),
    ]

    operations = [
        migrations.AddField(
            model_name='dailyarmengagement',
            name='for_you_clicks',
            field=models.PositiveIntegerField(blank=True, help_text='Clicks on For you (NULL: not known).', null=True),
        ),
        migrations.AddField(
            model_name='dailyarmengagement',
            name='for_you_comments',
            field=models.PositiveIntegerField(blank=True, help_text='Comments made on For you (NULL: not known).', null=True),
        ),
        migrations.AddField(
            model_name='dailyarmengagement',
            name='for_you_dwell_ms',
            field=models.PositiveBigIntegerField(blank=True, help_text='Dwell on For you (NULL: not known).', null=True),
        ),
        migrations.AddField(
            model_name='dailyarmengagement',
            name='for_you_impressions',
            field=models.PositiveIntegerField(blank=True, help_text='Impressions on For you (NULL: not known).', null=True),
        ),
        migrations.AddField(
            model_name='dailyarmengagement',
            name='for_you_likes',
            field=models.PositiveIntegerField(blank=True, help_text='Likes made on For you (NULL: not known).', null=True),
        ),
        migrations.AddField(
            model_name='dailyarmengagement',
            name='for_you_shares',
            field=models.PositiveIntegerField(blank=True, help_text='Shares made on For you (NULL: not known).', null=True),
        ),
        migrations.AddField(
            model_name='hourlyarmengagement',
            name='for_you_clicks',
            field=models.PositiveIntegerField(blank=True, help_text='Clicks on For you (NULL: not known).', null=True),
        ),
        migrations.AddField(
            model_name='hourlyarmengagement',
            name='for_you_comments',
            field=models.PositiveIntegerField(blank=True, help_text='Comments made on For you (NULL: not known).', null=True),
        ),
        migrations.AddField(
            model_name='hourlyarmengagement',
            name='for_you_dwell_ms',
            field=models.PositiveBigIntegerField(blank=True, help_text='Dwell on For you (NULL: not known).', null=True),
        ),
        migrations.AddField(
            model_name='hourlyarmengagement',
            name='for_you_impressions',
            field=models.PositiveIntegerField(blank=True, help_text='Impressions on For you (NULL: not known).', null=True),
        ),
        migrations.AddField(
            model_name='hourlyarmengagement',
            name='for_you_likes',
            field=models.PositiveIntegerField(blank=True, help_text='Likes made on For you (NULL: not known).', null=True),
        ),
        migrations.AddField(
            model_name='hourlyarmengagement',
            name='for_you_shares',
            field=models.PositiveIntegerField(blank=True, help_text='Shares made on For you (NULL: not known).', null=True),
        ),
    ]
