"""DRF's authtoken kept API keys in plain text, forever. API tokens are now
django-oauth-toolkit access tokens, stored hashed: the old table goes, and a client still
sending `Authorization: Token <key>` gets a 401 telling it to sign in again."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_prune_login_failures_schedule")]
    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop),
    ]
