"""Finding 10: API tokens were stored in plain text, never expired, could not be revoked by
their owner and survived a password change. They are now django-oauth-toolkit access
tokens: hashed at rest, expiring, listed and revoked by their owner, revoked on a password
change."""

import hashlib
from datetime import timedelta

import pytest
import requests
from django.db import connection
from django.utils import timezone
from oauth2_provider.models import AccessToken

from tests.factories import UserFactory
from tests.security.http import form_session


def _token(base_url, username, password) -> str:
    answer = requests.post(
        f"{base_url}/api/auth/token/",
        json={"username": username, "password": password},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["token"]


def _me(base_url, token, scheme="Bearer"):
    return requests.get(
        f"{base_url}/api/me/", headers={"Authorization": f"{scheme} {token}"}, timeout=30
    )


def _revoke(base_url, token, token_id):
    return requests.delete(
        f"{base_url}/api/auth/tokens/{token_id}/",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def test_tokens_are_not_stored_in_a_usable_form(live_server, user, password):
    raw = _token(live_server.url, user.username, password)
    stored = AccessToken.objects.get(user=user)
    assert stored.token == ""
    assert stored.token_checksum == hashlib.sha256(raw.encode()).hexdigest()
    with connection.cursor() as cursor:  # nowhere in the row, in any column
        cursor.execute("SELECT * FROM oauth2_provider_accesstoken WHERE id = %s", [stored.pk])
        assert raw not in " ".join(str(value) for value in cursor.fetchone())
    assert len(raw) >= 30  # ~178 random bits: the checksum cannot be reversed by guessing
    assert stored.expires > timezone.now() + timedelta(days=7)
    assert _me(live_server.url, raw).status_code == 200


def test_an_expired_token_is_refused_with_a_message(live_server, user, password):
    raw = _token(live_server.url, user.username, password)
    AccessToken.objects.filter(user=user).update(expires=timezone.now() - timedelta(seconds=1))
    answer = _me(live_server.url, raw)
    assert answer.status_code == 401
    assert "expired" in answer.json()["detail"]
    # Even on a list anonymous people may read, a bad token is an error, not "anonymous".
    listed = requests.get(
        f"{live_server.url}/api/trends/",
        headers={"Authorization": f"Bearer {raw}"},
        timeout=30,
    )
    assert listed.status_code == 401


def test_the_old_token_scheme_gets_a_clear_401(live_server):
    answer = _me(live_server.url, "0123456789abcdef0123456789abcdef01234567", scheme="Token")
    assert answer.status_code == 401
    assert "POST /api/auth/token/" in answer.json()["detail"]


def test_the_owner_lists_and_revokes_their_own_tokens_only(live_server, user, password):
    base = live_server.url
    laptop, phone = _token(base, user.username, password), _token(base, user.username, password)
    intruder = UserFactory(username="intruder")
    theirs = _token(base, intruder.username, password)
    listed = requests.get(
        f"{base}/api/auth/tokens/", headers={"Authorization": f"Bearer {laptop}"}, timeout=30
    ).json()
    assert len(listed) == 2
    assert [row["current"] for row in listed] == [False, True]  # newest first: the phone's
    phone_id = listed[0]["id"]
    their_id = AccessToken.objects.get(user=intruder).pk
    assert _revoke(base, laptop, their_id).status_code == 404
    assert _me(base, theirs).status_code == 200
    assert _revoke(base, laptop, phone_id).status_code == 204
    assert _me(base, phone).status_code == 401
    assert _me(base, laptop).status_code == 200
    assert requests.get(f"{base}/api/auth/tokens/", timeout=30).status_code == 401


def test_revoking_from_the_settings_page(live_server, user, password):
    base = live_server.url
    raw = _token(base, user.username, password)
    session, csrf = form_session(base, "/accounts/login/")
    session.post(
        f"{base}/accounts/login/",
        data={"username": user.username, "password": password, "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
    )
    page = session.get(f"{base}/accounts/settings/", timeout=30)
    assert "Flywheel (username and password)" in page.text
    token_id = AccessToken.objects.get(user=user).pk
    answer = session.post(
        f"{base}/accounts/tokens/{token_id}/revoke/",
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": f"{base}/accounts/settings/"},
        timeout=30,
    )
    assert answer.status_code == 200  # back on the settings page
    assert "The token is revoked" in answer.text
    assert _me(base, raw).status_code == 401


def _logged_in(base, user, password) -> requests.Session:
    session, csrf = form_session(base, "/accounts/login/")
    answer = session.post(
        f"{base}/accounts/login/",
        data={"username": user.username, "password": password, "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
    )
    assert answer.status_code == 200 and "Log out" in answer.text
    return session


@pytest.mark.parametrize("via", ["page", "admin"])
def test_a_password_change_revokes_every_token_and_other_session(
    live_server, user, password, staff_user, via
):
    base = live_server.url
    tokens = [_token(base, user.username, password) for _ in range(2)]
    here, elsewhere = _logged_in(base, user, password), _logged_in(base, user, password)
    if via == "page":
        here.get(f"{base}/accounts/password/", timeout=30)
        changed = here.post(
            f"{base}/accounts/password/",
            data={
                "old_password": password,
                "new_password1": "a-brand-new-secret-77",
                "new_password2": "a-brand-new-secret-77",
                "csrfmiddlewaretoken": here.cookies["csrftoken"],
            },
            headers={"Referer": f"{base}/accounts/password/"},
            timeout=30,
        )
        assert "2 API tokens revoked" in changed.text
        assert "/accounts/login/" not in here.get(f"{base}/accounts/settings/", timeout=30).url
    else:
        staff = _logged_in(base, staff_user, password)
        url = f"{base}/admin/accounts/user/{user.pk}/password/"
        staff.get(url, timeout=30)
        answer = staff.post(
            url,
            data={
                "password1": "a-brand-new-secret-77",
                "password2": "a-brand-new-secret-77",
                "usable_password": "true",
                "csrfmiddlewaretoken": staff.cookies["csrftoken"],
            },
            headers={"Referer": url},
            timeout=30,
        )
        assert answer.status_code == 200
    assert [_me(base, token).status_code for token in tokens] == [401, 401]
    assert "/accounts/login/" in elsewhere.get(f"{base}/accounts/settings/", timeout=30).url
    assert not AccessToken.objects.filter(user=user).exists()


def test_expired_tokens_are_forgotten_on_a_schedule_staff_can_edit(db, user):
    from django_celery_beat.models import PeriodicTask

    from accounts.tasks import clear_expired_tokens
    from accounts.tokens import token_issue

    live = token_issue(user=user)
    expired = token_issue(user=user)
    AccessToken.objects.filter(pk=expired.id).update(expires=timezone.now() - timedelta(days=1))

    assert clear_expired_tokens() == 1
    assert list(AccessToken.objects.values_list("pk", flat=True)) == [live.id]
    schedule = PeriodicTask.objects.get(task="accounts.clear_expired_tokens")
    assert schedule.enabled and schedule.interval.every == 24


@pytest.mark.django_db
def test_writes_check_the_token_as_reads_do(user):
    """Writes take the same one-statement token check as pages: an expired token, a token
    without `write`, or a suspended person's token changes nothing, each with its message."""
    from rest_framework.test import APIClient

    from social.models import Like
    from tests.factories import api_token
    from tests.social.factories import PostFactory

    post = PostFactory(author=UserFactory())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token(user)}")
    tokens = AccessToken.objects.filter(user=user)

    tokens.update(scope="read")
    narrow = client.post(f"/api/posts/{post.pk}/like/")
    assert narrow.status_code == 403 and "write scope" in narrow.json()["detail"]
    tokens.update(scope="read write")
    user.is_active = False
    user.save(update_fields=["is_active"])
    suspended = client.post(f"/api/posts/{post.pk}/like/")
    assert suspended.status_code == 401 and "suspended" in suspended.json()["detail"]
    user.is_active = True
    user.save(update_fields=["is_active"])
    tokens.update(expires=timezone.now() - timedelta(seconds=1))
    expired = client.post(f"/api/posts/{post.pk}/like/")
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    assert not Like.objects.exists()
    tokens.update(expires=timezone.now() + timedelta(hours=1))
    assert client.post(f"/api/posts/{post.pk}/like/").status_code == 201
