import hashlib

import pytest
from oauth2_provider.models import AccessToken

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_signup_api_creates_account_and_returns_a_token(api_client):
    response = api_client.post(
        "/api/auth/signup/",
        {
            "username": "dora",
            "password": "river-lantern-93",
            "interests": ["Jazz", "cooking"],
            "region": "eu",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    user = User.objects.get(username="dora")
    assert set(body) == {"token", "token_type", "expires_at", "scope", "username"}
    assert (body["username"], body["token_type"]) == ("dora", "Bearer")
    assert set(body["scope"].split()) == {"read", "write", "follow", "push"}
    stored = AccessToken.objects.get(user=user)
    assert stored.token_checksum == hashlib.sha256(body["token"].encode()).hexdigest()
    me = api_client.get("/api/me/", HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert me.json()["username"] == "dora"
    assert user.interests == ["jazz", "cooking"]


@pytest.mark.parametrize(
    "data, field",
    [
        ({"username": "ana", "password": "river-lantern-93"}, "username"),
        ({"username": "dora", "password": "password"}, "password"),
        ({"username": "bad name", "password": "river-lantern-93"}, "username"),
        ({"password": "river-lantern-93"}, "username"),
        ({"username": "dora", "password": "river-lantern-93", "region": "mars"}, "region"),
        ({"username": "dora", "password": "river-lantern-93", "interests": "jazz"}, "interests"),
    ],
)
def test_signup_api_rejects_bad_input(api_client, user, data, field):
    response = api_client.post("/api/auth/signup/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not User.objects.filter(username="dora").exists()


def test_malformed_json_is_a_400_with_a_message(api_client):
    response = api_client.post(
        "/api/auth/signup/", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_token_exchange(api_client, user, password):
    response = api_client.post(
        "/api/auth/token/", {"username": "ana", "password": password}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert AccessToken.objects.get(user=user).token_checksum == (
        hashlib.sha256(token.encode()).hexdigest()
    )


def test_token_exchange_with_a_wrong_password(api_client, user):
    response = api_client.post(
        "/api/auth/token/", {"username": "ana", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert "do not match" in response.json()["detail"]


def test_token_exchange_is_locked_after_repeated_failures(api_client, user, password, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    for _ in range(3):
        api_client.post("/api/auth/token/", {"username": "ana", "password": "x"}, format="json")
    response = api_client.post(
        "/api/auth/token/", {"username": "ana", "password": password}, format="json"
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many failed login attempts" in response.json()["detail"]


def test_me_requires_authentication(api_client):
    assert api_client.get("/api/me/").status_code == 401
    assert api_client.patch("/api/me/", {"bio": "x"}, format="json").status_code == 401


def test_me_read_and_patch(auth_client, user):
    body = auth_client.get("/api/me/").json()
    assert body["username"] == "ana"
    assert body["personalised_feed"] is True
    response = auth_client.patch(
        "/api/me/",
        {
            "bio": "Bread.",
            "personalised_ads": False,
            "interests": ["Baking"],
            "username": "hacker",
            "is_bot": True,
        },
        format="json",
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.bio, user.personalised_ads, user.interests) == ("Bread.", False, ["baking"])
    assert user.username == "ana" and user.is_bot is False  # read-only fields are ignored


def test_me_patch_rejects_bad_values(auth_client):
    response = auth_client.patch("/api/me/", {"bio": "x" * 301, "age_bracket": "7"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"bio", "age_bracket"}


def test_session_auth_works_for_the_api(client, user):
    client.force_login(user)
    assert client.get("/api/me/").json()["username"] == "ana"


def test_signup_is_limited_per_address(api_client, settings):
    settings.ACTION_RATE_LIMITS = {**settings.ACTION_RATE_LIMITS, "signup": "2/hour"}
    codes = [
        api_client.post(
            "/api/auth/signup/",
            {"username": f"user{n}", "password": "river-lantern-93"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",  # ignored: no trusted proxy
        ).status_code
        for n in range(3)
    ]
    assert codes == [201, 201, 429]


def test_signup_api_reports_a_taken_username_and_a_weak_password_together(api_client, user):
    response = api_client.post(
        "/api/auth/signup/", {"username": "ana", "password": "password"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"username", "password"}
