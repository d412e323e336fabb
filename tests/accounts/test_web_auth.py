import pytest
from django.urls import reverse

from accounts.models import LoginFailure, User

pytestmark = pytest.mark.django_db


def test_signup_creates_the_account_logs_in_and_hashes_with_argon2(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "carla",
            "email": "carla@example.com",
            "password": "river-lantern-93",
            "interests": "Jazz, #hiking",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = User.objects.get(username="carla")
    assert user.interests == ["jazz", "hiking"]
    assert user.password.startswith("argon2")
    assert client.get(reverse("accounts:profile_edit")).status_code == 200


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"username": "ana", "password": "river-lantern-93"}, "username", "taken"),
        ({"username": "ANA", "password": "river-lantern-93"}, "username", "taken"),
        ({"username": "new_one", "password": "password"}, "password", "too common"),
        ({"username": "new_one", "password": "12345678901"}, "password", "entirely numeric"),
        ({"username": "new_one", "password": "short"}, "password", "at least 8"),
        ({"username": "no spaces!", "password": "river-lantern-93"}, "username", "letters"),
        ({"username": "", "password": "river-lantern-93"}, "username", "required"),
        ({"username": "x" * 31, "password": "river-lantern-93"}, "username", "at most 30"),
        (
            {"username": "new_one", "password": "river-lantern-93", "interests": "no!pe"},
            "interests",
            "not a valid interest",
        ),
        (
            {"username": "new_one", "email": "not-an-email", "password": "river-lantern-93"},
            "email",
            "valid email",
        ),
    ],
)
def test_signup_rejects_bad_input_with_a_clear_message(client, user, data, field, message):
    response = client.post(reverse("accounts:signup"), data)
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors
    assert not User.objects.filter(username="new_one").exists()


def test_login_and_logout(client, user, password):
    response = client.post(reverse("accounts:login"), {"username": "ana", "password": password})
    assert response.status_code == 302
    assert client.get(reverse("accounts:settings")).status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("accounts:settings")).status_code == 302


def test_login_follows_a_safe_next_url_only(client, user, password):
    login = reverse("accounts:login")
    ok = client.post(
        login, {"username": "ana", "password": password, "next": "/accounts/settings/"}
    )
    assert ok["Location"] == "/accounts/settings/"
    client.logout()
    evil = client.post(
        login, {"username": "ana", "password": password, "next": "https://evil.example/"}
    )
    assert evil["Location"] == reverse("home")


def test_logout_needs_post(client, user):
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405


def test_wrong_password_shows_an_error_and_is_counted(client, user):
    response = client.post(reverse("accounts:login"), {"username": "ana", "password": "wrong"})
    assert response.status_code == 400
    assert "do not match" in response.content.decode()
    assert LoginFailure.objects.filter(username="ana").count() == 1
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account_for_a_while_even_with_the_right_password(
    client, user, password, settings
):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": "ana", "password": "guess"})
    response = client.post(reverse("accounts:login"), {"username": "ana", "password": password})
    assert response.status_code == 429
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_lifts_after_the_window(client, user, password, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": "ana", "password": "guess"})
    from datetime import timedelta

    from django.utils import timezone

    LoginFailure.objects.update(
        at=timezone.now() - timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS + 1)
    )
    response = client.post(reverse("accounts:login"), {"username": "ana", "password": password})
    assert response.status_code == 302


def test_one_address_guessing_many_accounts_is_stopped(
    client, user, other_user, password, settings
):
    settings.LOGIN_FAILURES_PER_ADDRESS = 4
    for name in ("x1", "x2", "x3", "x4"):
        client.post(reverse("accounts:login"), {"username": name, "password": "guess"})
    response = client.post(reverse("accounts:login"), {"username": "ben", "password": password})
    assert response.status_code == 429


def test_forged_forwarded_for_does_not_dodge_the_address_limit(client, user, password, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    for n in range(3):
        client.post(
            reverse("accounts:login"),
            {"username": f"x{n}", "password": "guess"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )
    response = client.post(
        reverse("accounts:login"),
        {"username": "ana", "password": password},
        HTTP_X_FORWARDED_FOR="10.9.9.9",
    )
    assert response.status_code == 429


def test_password_change(client, user, password):
    client.force_login(user)
    url = reverse("accounts:password_change")
    bad = client.post(url, {"old_password": "nope", "new_password1": "x", "new_password2": "x"})
    assert bad.status_code == 400
    good = client.post(
        url,
        {
            "old_password": password,
            "new_password1": "quiet-meadow-481",
            "new_password2": "quiet-meadow-481",
        },
    )
    assert good.status_code == 302
    user.refresh_from_db()
    assert user.check_password("quiet-meadow-481")
    assert client.get(reverse("accounts:settings")).status_code == 200  # still logged in


def test_pages_that_need_login_redirect_anonymous_people(client):
    for name in ("profile_edit", "settings", "password_change"):
        response = client.get(reverse(f"accounts:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("username", ["ab", "ana"])
def test_signup_reports_a_bad_username_and_a_weak_password_in_one_round(client, user, username):
    """An invalid ("ab") or taken ("ana") username and a weak password: both are shown at once."""
    response = client.post(
        reverse("accounts:signup"), {"username": username, "password": "password"}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "username" in errors
    assert "This password is too common." in errors["password"]
