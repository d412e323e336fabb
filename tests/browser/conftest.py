"""Browser tests: every test here drives Chromium (the fixtures are the plugin
tests/browser/fixtures.py, shared with the security suite)."""

from pathlib import Path

import pytest

from tests.browser.ads_helpers import feed_with_an_ad, fresh_ads_state  # noqa: F401 - fixtures

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    """Every test in this folder drives a browser; mark it so `-m "not browser"` skips it."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Browser tests sign many people in; a fast hasher keeps them quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
