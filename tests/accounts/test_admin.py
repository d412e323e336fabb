import pytest

pytestmark = pytest.mark.django_db


def test_admin_is_for_staff_only(client, user, staff_user):
    assert client.get("/admin/").status_code == 302
    client.force_login(user)
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/accounts/user/").status_code == 302
    client.force_login(staff_user)
    assert client.get("/admin/").status_code == 200


def test_user_admin_lists_searches_and_marks_bots(client, staff_user, user):
    from tests.factories import UserFactory

    UserFactory(username="robo", is_bot=True)
    client.force_login(staff_user)
    found = client.get("/admin/accounts/user/?q=robo")
    assert [u.username for u in found.context["cl"].result_list] == ["robo"]
    assert "🤖 bot" in found.content.decode()
    bots_only = client.get("/admin/accounts/user/?is_bot__exact=1")
    assert [u.username for u in bots_only.context["cl"].result_list] == ["robo"]
    assert client.get(f"/admin/accounts/user/{user.pk}/change/").status_code == 200


def test_api_schema_and_docs_are_served_locally(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in ("/api/auth/token/", "/api/auth/signup/", "/api/me/"):
        assert path in text
    docs = client.get("/api/docs/").content.decode()
    assert "swagger" in docs.lower()
    assert "cdn" not in docs.lower() and "unpkg" not in docs.lower()
