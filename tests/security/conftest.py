"""The security suite drives a real server (pytest-django's live server) over HTTP, as an
attacker would, and Chromium where a person is the victim."""

import pytest


@pytest.fixture
def fast_passwords(settings):
    """Many sign-ins and sign-ups: a fast hasher keeps them quick (the rules are the same)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
