"""Talking to the live server as a browser or a client would."""

import re

import requests


def form_session(base_url: str, path: str) -> tuple[requests.Session, str]:
    """A browser-like session that has loaded a form page: its CSRF cookie and token."""
    session = requests.Session()
    page = session.get(base_url + path, timeout=10)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert match, f"no CSRF token on {path}"
    return session, match.group(1)
