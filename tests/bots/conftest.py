import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Bots log in with real passwords; a fast hasher keeps a world of them quick to test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
