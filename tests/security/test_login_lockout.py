"""Finding 7: the lockout was checked before and recorded after the password, so 40
concurrent wrong passwords for one account got 16 evaluated (limit 5). An attempt is now
reserved under a lock before the password is evaluated."""

from concurrent.futures import ThreadPoolExecutor

import requests

from accounts.models import LoginFailure
from tests.factories import UserFactory
from tests.security.http import form_session


def test_forty_concurrent_wrong_passwords_evaluate_at_most_the_limit(live_server, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 5
    UserFactory(username="target")  # the real hasher (Argon2): a slow check, a wide race
    barrier_url = f"{live_server.url}/api/auth/token/"

    def guess(n: int) -> int:
        body = {"username": "target", "password": f"guess-{n}"}
        return requests.post(barrier_url, json=body, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=40) as pool:
        codes = list(pool.map(guess, range(40)))
    assert codes.count(400) <= 5, codes  # passwords evaluated (and wrong)
    assert codes.count(400) + codes.count(429) == 40
    assert LoginFailure.objects.filter(username="target").count() == codes.count(400)


def test_the_login_page_shares_the_reserved_count(live_server, settings, password):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    owner = UserFactory(username="owner")

    def page_guess(n: int) -> int:
        session, csrf = form_session(live_server.url, "/accounts/login/")
        answer = session.post(
            f"{live_server.url}/accounts/login/",
            data={"username": "owner", "password": f"nope-{n}", "csrfmiddlewaretoken": csrf},
            headers={"Referer": f"{live_server.url}/accounts/login/"},
            timeout=60,
        )
        return answer.status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(page_guess, range(20)))
    assert codes.count(400) <= 3, codes
    # Locked now, even with the right password, for the page and the API alike.
    answer = requests.post(
        f"{live_server.url}/api/auth/token/",
        json={"username": owner.username, "password": password},
        timeout=60,
    )
    assert answer.status_code == 429
    assert int(answer.headers["Retry-After"]) > 0
