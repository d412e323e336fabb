"""Scopes and access: a token does what its scopes allow and no more (403 in Mastodon's
error shape), someone else's status cannot be deleted (404), a revoked token gets 401."""

import pytest
from rest_framework.test import APIClient

from social import services as social
from social.models import Like, Post
from tests.factories import UserFactory, api_token


def test_a_read_token_reads_but_cannot_write(user, client_with_scope):
    client = client_with_scope(user, "read")
    assert client.get("/api/v1/accounts/verify_credentials").status_code == 200
    answer = client.post("/api/v1/statuses", {"status": "hello"}, format="json")
    assert answer.status_code == 403
    assert answer.json()["error"].startswith("This action is outside the authorized scopes")
    assert set(answer.json()) == {"error"}
    assert not Post.objects.exists()


def test_sub_scopes_grant_only_themselves(user, other_user, client_with_scope):
    post = social.post_create(author=other_user, text="hi")
    client = client_with_scope(user, "read:statuses write:favourites")
    assert client.get("/api/v1/timelines/home").status_code == 200
    assert client.get("/api/v1/notifications").status_code == 403  # read:notifications
    assert client.post(f"/api/v1/statuses/{post.pk}/favourite").status_code == 200
    assert Like.objects.filter(user=user, post=post).exists()
    assert client.post("/api/v1/statuses", {"status": "x"}, format="json").status_code == 403
    assert client.post(f"/api/v1/statuses/{post.pk}/reblog").status_code == 403


def test_follow_scope_follows_blocks_and_mutes(user, other_user, client_with_scope):
    client = client_with_scope(user, "follow")
    answer = client.post(f"/api/v1/accounts/{other_user.pk}/follow")
    assert answer.status_code == 200 and answer.json()["following"] is True
    assert client.post(f"/api/v1/accounts/{other_user.pk}/mute").json()["muting"] is True
    assert client.post("/api/v1/statuses", {"status": "x"}, format="json").status_code == 403


def test_a_mastodon_token_has_no_more_rights_on_the_native_api(user, client_with_scope):
    client = client_with_scope(user, "read")
    assert client.get("/api/me/").status_code == 200
    answer = client.post("/api/posts/", {"text": "through the back door"}, format="json")
    assert answer.status_code == 403
    assert not Post.objects.exists()


def test_native_tokens_keep_working_on_both_apis(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token(user)}")
    assert client.post("/api/posts/", {"text": "native"}, format="json").status_code == 201
    answer = client.post("/api/v1/statuses", {"status": "mastodon"}, format="json")
    assert answer.status_code == 200
    assert Post.objects.count() == 2


@pytest.mark.parametrize("who", ["anonymous", "other", "staff", "owner"])
def test_deleting_a_status(who, user, client_with_scope):
    post = social.post_create(author=user, text="mine")
    clients = {
        "anonymous": lambda: APIClient(),
        "other": lambda: client_with_scope(UserFactory(username="eve"), "write"),
        "staff": lambda: client_with_scope(
            UserFactory(username="boss", is_staff=True, is_superuser=True), "write"
        ),
        "owner": lambda: client_with_scope(user, "write"),
    }
    answer = clients[who]().delete(f"/api/v1/statuses/{post.pk}")
    expected = {"anonymous": 401, "other": 404, "staff": 404, "owner": 200}[who]
    assert answer.status_code == expected
    assert "error" in answer.json() or answer.json()["text"] == "mine"
    assert Post.objects.filter(pk=post.pk).exists() == (who != "owner")


def test_deleting_a_reply_of_someone_else_is_not_found(user, other_user, client_with_scope):
    post = social.post_create(author=user, text="mine")
    comment = social.comment_create(author=other_user, post=post, text="theirs")
    answer = client_with_scope(user, "write").delete(f"/api/v1/statuses/c{comment.pk}")
    assert answer.status_code == 404
    answer = client_with_scope(other_user, "write").delete(f"/api/v1/statuses/c{comment.pk}")
    assert answer.status_code == 200 and answer.json()["in_reply_to_id"] == str(post.pk)


def test_a_revoked_token_gets_401(user, mastodon_app, client_with_scope):
    client = client_with_scope(user, "read write")
    assert client.get("/api/v1/accounts/verify_credentials").status_code == 200
    revoked = APIClient().post(
        "/oauth/revoke",
        {
            "client_id": mastodon_app.application.client_id,
            "client_secret": mastodon_app.client_secret,
            "token": client.raw_token,
        },
    )
    assert revoked.status_code == 200 and revoked.json() == {}
    answer = client.get("/api/v1/accounts/verify_credentials")
    assert answer.status_code == 401
    assert answer.json()["error"].startswith("The access token is invalid")


def test_no_token_where_one_is_needed_is_401(db):
    answer = APIClient().get("/api/v1/timelines/home")
    assert answer.status_code == 401 and "error" in answer.json()


def test_an_app_may_be_granted_only_what_it_registered(user, client):
    from mastodon_api import services

    app = services.app_register(
        name="Reader", redirect_uris=["https://client.example/cb"], scopes="read"
    )
    client.force_login(user)
    page = client.get(
        "/oauth/authorize",
        {
            "client_id": app.application.client_id,
            "response_type": "code",
            "redirect_uri": "https://client.example/cb",
            "scope": "read write",
        },
    )
    # oauthlib refuses the scope: the browser goes back to the app with an error.
    assert page.status_code == 302
    assert "error=invalid_scope" in page["Location"]


def test_an_app_token_from_client_credentials_reads_the_app_not_a_person(mastodon_app):
    answer = APIClient().post(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": mastodon_app.application.client_id,
            "client_secret": mastodon_app.client_secret,
            "scope": "read",
        },
    )
    assert answer.status_code == 200, answer.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {answer.json()['access_token']}")
    assert client.get("/api/v1/apps/verify_credentials").json()["name"] == "Test client"
    assert client.get("/api/v1/timelines/public").status_code == 200
    mine = client.get("/api/v1/accounts/verify_credentials")
    assert mine.status_code == 403 and "authenticated user" in mine.json()["error"]


def test_a_wrong_client_secret_gets_no_token(mastodon_app):
    answer = APIClient().post(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": mastodon_app.application.client_id,
            "client_secret": "guess",
        },
    )
    assert answer.status_code == 401


def test_every_mastodon_endpoint_is_in_the_schema(db):
    from django.urls import get_resolver

    from mastodon_api import urls

    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = set(schema["paths"])
    for prefix, patterns in (("/api/v1/", urls.api_v1), ("/api/v2/", urls.api_v2)):
        for pattern in patterns:
            route = pattern.pattern.regex.pattern.strip("^$").removesuffix("/?")
            if route == ".*":
                continue  # the catch-all
            documented = prefix + route.replace("(?P<", "{").replace(">[^/]+)", "}")
            assert documented in paths, documented
    assert {"/oauth/token", "/oauth/revoke", "/.well-known/oauth-authorization-server"} <= paths
    assert get_resolver()  # the URLs load
