"""Finding 5: the sign-up limit was bypassed through the HTML form (40 of 40 form sign-ups
from one address succeeded while the API refused after 29). One limit now counts both."""

from concurrent.futures import ThreadPoolExecutor

import requests

from accounts.models import User
from tests.security.http import form_session

PASSWORD = "river-lantern-93"


def _form_signup(base_url: str, n: int) -> int:
    session, csrf = form_session(base_url, "/accounts/signup/")
    answer = session.post(
        f"{base_url}/accounts/signup/",
        data={"username": f"form{n}", "password": PASSWORD, "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{base_url}/accounts/signup/"},
        allow_redirects=False,
        timeout=20,
    )
    return answer.status_code


def _api_signup(base_url: str, n: int) -> int:
    answer = requests.post(
        f"{base_url}/api/auth/signup/",
        json={"username": f"api{n}", "password": PASSWORD},
        timeout=20,
    )
    return answer.status_code


def test_page_and_api_share_one_signup_limit_under_concurrency(
    live_server, settings, fast_passwords
):
    settings.ACTION_RATE_LIMITS = {**settings.ACTION_RATE_LIMITS, "signup": "6/hour"}
    base = live_server.url
    with ThreadPoolExecutor(max_workers=8) as pool:
        forms = list(pool.map(lambda n: _form_signup(base, n), range(10)))
        apis = list(pool.map(lambda n: _api_signup(base, n), range(10)))
    created = [code for code in forms if code == 302] + [code for code in apis if code == 201]
    assert len(created) == 6, (forms, apis)
    assert User.objects.count() == 6
    assert set(forms + apis) <= {302, 201, 429}
    refused = requests.post(
        f"{base}/api/auth/signup/", json={"username": "late", "password": PASSWORD}, timeout=20
    )
    assert refused.status_code == 429
    assert "sign-ups" in refused.json()["detail"]
    assert int(refused.headers["Retry-After"]) > 0


def test_the_signup_page_says_why_it_refuses(live_server, settings, fast_passwords):
    settings.ACTION_RATE_LIMITS = {**settings.ACTION_RATE_LIMITS, "signup": "1/hour"}
    assert _api_signup(live_server.url, 0) == 201
    session, csrf = form_session(live_server.url, "/accounts/signup/")
    answer = session.post(
        f"{live_server.url}/accounts/signup/",
        data={"username": "second", "password": PASSWORD, "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{live_server.url}/accounts/signup/"},
        timeout=20,
    )
    assert answer.status_code == 429
    assert "limit of 1 sign-ups" in answer.text
    assert not User.objects.filter(username="second").exists()
