"""What the schema-driven fuzz of the API found, one test each: the schema lists the real
status codes and limits, and the code answers what the schema says."""

import io

import pytest
from drf_spectacular.generators import SchemaGenerator
from PIL import Image

from tests.factories import AdvertiserFactory
from tests.social.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def codes(schema, path, method) -> set[str]:
    return set(schema["paths"][path][method]["responses"])


def test_every_operation_lists_its_error_answers_with_the_error_body(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "429" in responses, (method, path)
            if path != "/api/auth/token/":
                assert "401" in responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if method in ("post", "put", "patch", "delete"):
                assert {"400", "403"} <= set(responses), (method, path)
            error = responses["429"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/Error"}
    assert "detail" in schema["components"]["schemas"]["Error"]["properties"]


def test_reads_that_may_refuse_or_miss_say_so(schema):
    assert "403" in codes(schema, "/api/groups/{slug}/posts/", "get")
    assert "403" in codes(schema, "/api/groups/{slug}/requests/", "get")
    assert "403" in codes(schema, "/api/analytics/flywheel/", "get")
    assert "404" in codes(schema, "/api/ads/advertiser/", "get")
    assert "404" in codes(schema, "/api/reports/", "post")
    assert "400" in codes(schema, "/api/posts/", "get")  # page_size, cursor
    assert "400" not in codes(schema, "/api/me/export/", "get")  # takes nothing


@pytest.mark.parametrize(
    "path",
    [
        "/api/posts/{id}/like/",
        "/api/posts/{id}/share/",
        "/api/users/{username}/follow/",
        "/api/users/{username}/block/",
        "/api/users/{username}/mute/",
        "/api/groups/{slug}/membership/",
    ],
)
def test_undoing_a_relation_answers_200_with_the_fresh_object_in_the_schema_too(schema, path):
    responses = schema["paths"][path]["delete"]["responses"]
    assert "200" in responses and "204" not in responses
    assert "$ref" in responses["200"]["content"]["application/json"]["schema"]


@pytest.mark.parametrize(
    "path, method",
    [
        ("/api/posts/{id}/", "delete"),
        ("/api/comments/{comment_id}/", "delete"),
        ("/api/me/", "delete"),
        ("/api/ads/advertisers/{advertiser_id}/hide/", "delete"),
    ],
)
def test_deleting_a_resource_answers_204_without_a_body(schema, path, method):
    responses = schema["paths"][path][method]["responses"]
    assert "204" in responses and "200" not in responses


def test_unlike_answers_200_with_the_card(auth_client):
    post = PostFactory()
    auth_client.post(f"/api/posts/{post.pk}/like/")
    response = auth_client.delete(f"/api/posts/{post.pk}/like/")
    assert response.status_code == 200 and response.json()["like_count"] == 0


def test_parameters_carry_their_real_limits(schema):
    [limit] = schema["paths"]["/api/trends/"]["get"]["parameters"]
    assert limit["schema"]["minimum"] == 1 and limit["schema"]["maximum"] == 50
    page_size = next(
        p for p in schema["paths"]["/api/posts/"]["get"]["parameters"] if p["name"] == "page_size"
    )
    assert (page_size["schema"]["minimum"], page_size["schema"]["maximum"]) == (1, 100)
    names = {p["name"] for p in schema["paths"]["/api/suggestions/people/"]["get"]["parameters"]}
    assert names == {"limit", "exclude"}  # `format=html` is the pages' fragment, not the API


def test_a_limit_outside_its_range_is_a_400_with_a_message(auth_client):
    response = auth_client.get("/api/trends/", {"limit": 0})
    assert response.status_code == 400
    assert response.json()["limit"] == ["Ensure this value is greater than or equal to 1."]


@pytest.mark.parametrize("kind", ["people", "groups"])
def test_options_on_the_html_fragment_is_not_a_server_error(auth_client, kind):
    response = auth_client.options(f"/api/suggestions/{kind}/?format=html")
    assert response.status_code == 200


def test_an_address_under_api_that_names_no_endpoint_is_a_json_404(client, auth_client):
    for response in (
        auth_client.get("/api/ads/advertisers/null,null/hide/"),
        client.post("/api/nothing/here/", {"x": 1}),  # no CSRF token: still the API's 404
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "There is no such API endpoint."}


def picture() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    buffer.name = "me.png"
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize("empty", ["", None])
def test_an_empty_avatar_removes_the_picture_in_json_too(auth_client, user, empty):
    assert auth_client.patch("/api/me/", {"avatar": picture()}, format="multipart").json()["avatar"]
    response = auth_client.patch("/api/me/", {"avatar": empty}, format="json")
    assert response.status_code == 200 and response.json()["avatar"] is None
    user.refresh_from_db()
    assert not user.avatar


def test_a_post_with_an_empty_group_in_a_form_goes_to_no_group(auth_client):
    response = auth_client.post("/api/posts/", {"text": "hi", "group": ""}, format="multipart")
    assert response.status_code == 201 and response.json()["group"] is None


def test_an_empty_bid_is_outside_the_schema_and_refused_with_a_message(schema, auth_client, user):
    bid = schema["components"]["schemas"]["CampaignRequest"]["properties"]["bid"]
    assert bid["pattern"] == r"^\d{1,10}(\.\d{1,6})?$"
    AdvertiserFactory(user=user)
    response = auth_client.post("/api/ads/campaigns/", {"name": "x", "bid": ""}, format="json")
    assert response.status_code == 400 and response.json()["bid"] == ["A valid number is required."]


def test_a_body_with_too_many_fields_is_a_json_400(auth_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    body = "&".join(f"ids={n}" for n in range(1, 20))
    response = auth_client.post(
        "/api/notifications/read/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("The request body cannot be read: The number of")
