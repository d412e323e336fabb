"""The consent page in a real browser: a person who is not signed in logs in first, sees
which app asks for what, and allows (the app gets a code it can exchange) or denies."""

from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import requests
from playwright.sync_api import expect

from tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CALLBACK = "https://client.example/callback"


@pytest.fixture
def app_page(page):
    """Requests to the app's own site end there (it is not on this network)."""
    page.route("https://client.example/**", lambda route: route.fulfill(body="the app"))
    return page


def authorize_url(app, scope="read write") -> str:
    query = {
        "client_id": app.application.client_id,
        "response_type": "code",
        "redirect_uri": CALLBACK,
        "scope": scope,
        "state": "s1",
    }
    return f"/oauth/authorize?{urlencode(query)}"


def log_in_here(page, user):
    page.get_by_label("Username", exact=True).fill(user.username)
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_allowing_an_app_gives_it_a_code_for_a_token(app_page, base_url, user, mastodon_app):
    page = app_page
    page.goto(authorize_url(mastodon_app))
    log_in_here(page, user)  # sent to log in first, then back
    heading = page.get_by_role("heading", name="Allow Test client to use your account?")
    expect(heading).to_be_visible()
    expect(page.get_by_text("Post, like, share, comment and change your settings")).to_be_visible()
    expect(page.get_by_text("signed in as @ana")).to_be_visible()
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(f"{CALLBACK}?*")
    query = parse_qs(urlparse(page.url).query)
    assert query["state"] == ["s1"]
    token = requests.post(
        f"{base_url}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": CALLBACK,
            "client_id": mastodon_app.application.client_id,
            "client_secret": mastodon_app.client_secret,
        },
    ).json()
    assert token["scope"] == "read write"
    me = requests.get(
        f"{base_url}/api/v1/accounts/verify_credentials",
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    assert me.json()["username"] == "ana"


def test_denying_sends_the_app_an_error_and_no_code(app_page, user, mastodon_app, sign_in):
    page = app_page
    sign_in(user)
    page.goto(authorize_url(mastodon_app))
    page.get_by_role("button", name="Deny").click()
    page.wait_for_url(f"{CALLBACK}?*")
    query = parse_qs(urlparse(page.url).query)
    assert query["error"] == ["access_denied"] and "code" not in query


def test_an_unknown_app_is_explained_not_redirected(page, user, sign_in, db):
    sign_in(user)
    page.goto("/oauth/authorize?client_id=nope&response_type=code&redirect_uri=https://x.example/")
    expect(page.get_by_role("heading", name="This app cannot sign in")).to_be_visible()
