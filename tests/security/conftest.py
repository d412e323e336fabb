"""The security suite drives a real server (pytest-django's live server) over HTTP, as an
attacker would, and Chromium where a person is the victim."""

import pytest


@pytest.fixture
def fast_passwords(settings):
    """Many sign-ins and sign-ups: a fast hasher keeps them quick (the rules are the same)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The browser fixtures of tests/browser (one Chromium per session, a context and page per
# test, sign-in by session cookie), for the tests here where a person is the victim.
from tests.browser.conftest import (  # noqa: E402, F401
    base_url,
    browser,
    context,
    page,
    pytest_runtest_makereport,
    sign_in,
)
