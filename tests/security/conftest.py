"""The security suite drives a real server (pytest-django's live server) over HTTP, as an
attacker would, and Chromium where a person is the victim."""

import re

import pytest
import requests


def form_session(base_url: str, path: str) -> tuple[requests.Session, str]:
    """A browser-like session that has loaded a form page: its CSRF cookie and token."""
    session = requests.Session()
    page = session.get(base_url + path, timeout=10)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert match, f"no CSRF token on {path}"
    return session, match.group(1)


@pytest.fixture
def fast_passwords(settings):
    """Many sign-ins and sign-ups: a fast hasher keeps them quick (the rules are the same)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
