"""Driving Flywheel as a Mastodon client would: Mastodon.py against the live test server, and
a person signing in on the consent page with requests (a browser's form posts, no JS)."""

import io
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlparse

import requests
from mastodon import Mastodon
from PIL import Image

from tests.factories import DEFAULT_PASSWORD

REDIRECT_URI = "https://client.example/callback"
ALL_SCOPES = ["read", "write", "follow", "push"]


class _Form(HTMLParser):
    """The inputs of the page's first form with a given id."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        elif tag == "input" and self.inside and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def form_fields(html: str, form_id: str) -> dict:
    parser = _Form(form_id)
    parser.feed(html)
    return parser.fields


def browser_signed_in(base_url: str, username: str) -> requests.Session:
    """A browser session signed in on the site's login page."""
    session = requests.Session()
    page = session.get(f"{base_url}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{base_url}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": DEFAULT_PASSWORD},
        headers={"Referer": f"{base_url}/accounts/login/"},
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[:500]
    return session


def register_app(base_url: str, scopes=ALL_SCOPES) -> Mastodon:
    client_id, client_secret = Mastodon.create_app(
        "Day test",
        scopes=scopes,
        redirect_uris=REDIRECT_URI,
        website="https://client.example",
        api_base_url=base_url,
    )
    return Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=base_url)


def consent(session: requests.Session, authorize_url: str, *, allow: bool = True) -> str:
    """Open the consent page, press Allow (or Deny); where the browser is sent next."""
    page = session.get(authorize_url)
    assert page.status_code == 200, page.text[:500]
    fields = form_fields(page.text, "authorizationForm")
    if allow:
        fields["allow"] = "Authorize"
    answer = session.post(
        page.url, data=fields, headers={"Referer": page.url}, allow_redirects=False
    )
    assert answer.status_code == 302, answer.text[:500]
    return answer.headers["Location"]


def sign_in_with_code(base_url: str, username: str, scopes=ALL_SCOPES) -> Mastodon:
    """The authorization-code flow end to end: register, consent, exchange the code."""
    api = register_app(base_url, scopes)
    url = api.auth_request_url(
        redirect_uris=REDIRECT_URI, scopes=scopes, state="xyz", allow_http=True
    )
    location = consent(browser_signed_in(base_url, username), url)
    assert location.startswith(REDIRECT_URI)
    query = parse_qs(urlparse(location).query)
    assert query["state"] == ["xyz"]
    api.log_in(code=query["code"][0], redirect_uri=REDIRECT_URI, scopes=scopes, allow_http=True)
    return api


def png_bytes(colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(buffer, format="PNG")
    return buffer.getvalue()
