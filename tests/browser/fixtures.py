"""The browser fixtures, a pytest plugin (`-p tests.browser.fixtures` in pyproject.toml) so
that one Chromium serves every folder that needs it (tests/browser, tests/security):
Playwright's sync API drives Debian's Chromium against pytest-django's live server. One
browser per session; every test gets a fresh context (cookies, storage) and page. A failing
test leaves a full-page screenshot in test-results/screenshots/<test name>.png.
"""

import contextlib
import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

# Loaded before Django is set up (a -p plugin): Django and the factories are imported by the
# fixtures that need them.

# Playwright's sync API keeps an asyncio loop running in this thread, so Django's
# async-safety check would refuse ORM calls made by the test while a page is open. The test
# code is plain synchronous code; this is the documented workaround for Playwright with
# pytest-django.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item (rep_setup, rep_call, rep_teardown)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def base_url(live_server) -> str:
    return live_server.url


@pytest.fixture
def context(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport=DESKTOP, locale="en-US")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context, request) -> Page:
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        folder = request.config.rootpath / "test-results" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    _close_quietly(page)


# Closing a page fires its pagehide handlers: the beacon script sends what it queued. A
# request still being served when the test's database is flushed holds row locks that
# deadlock the flush's TRUNCATE, which then leaves the rows to the next test.
MUTE_BEACONS = "() => { navigator.sendBeacon = () => true; }"
SERVER_BUSY = """
    SELECT count(*) FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid()
      AND state IN ('active', 'idle in transaction')
"""


def _close_quietly(page, timeout=5.0):
    """Close a page without a last beacon, then wait until the live server's requests end."""
    from django.db import connection

    with contextlib.suppress(PlaywrightError):  # the page may have gone already
        page.evaluate(MUTE_BEACONS)
    page.close()
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while True:
            cursor.execute(SERVER_BUSY)
            if not cursor.fetchone()[0] or time.monotonic() > deadline:
                return
            time.sleep(0.05)


@pytest.fixture
def log_in(page, base_url):
    """Log a user in through the login page; returns the page, now on the home page."""

    def log_in(user, password=None):
        from tests.factories import DEFAULT_PASSWORD

        password = password or DEFAULT_PASSWORD
        page.goto("/accounts/login/")
        page.get_by_label("Username", exact=True).fill(user.username)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base_url}/")
        return page

    return log_in


@pytest.fixture
def sign_in(context, base_url):
    """Sign a person into a browser context (a session cookie, no login form)."""

    def sign_in(person, into=None):
        from django.conf import settings as django_settings
        from django.test import Client

        client = Client()
        client.force_login(person)
        name = django_settings.SESSION_COOKIE_NAME
        cookie = {"name": name, "value": client.cookies[name].value, "url": base_url}
        (into or context).add_cookies([cookie])

    return sign_in


@pytest.fixture
def page_as(browser, base_url, sign_in):
    """A page in a browser context of its own, signed in as someone else."""
    contexts = []

    def page_as(person):
        other = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
        other.set_default_timeout(10_000)
        contexts.append(other)
        sign_in(person, into=other)
        return other.new_page()

    yield page_as
    for other in contexts:
        for other_page in other.pages:
            _close_quietly(other_page)
        other.close()
