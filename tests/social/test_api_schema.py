"""Every social endpoint is in the OpenAPI schema, which is valid and generated without
warnings from the social API (what `manage.py spectacular --validate --fail-on-warn` checks)."""

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

ENDPOINTS = {
    "/api/posts/": {"get", "post"},
    "/api/posts/{id}/": {"get", "patch", "delete"},
    "/api/posts/{id}/like/": {"post", "delete"},
    "/api/posts/{id}/share/": {"post", "delete"},
    "/api/posts/{id}/comments/": {"get", "post"},
    "/api/posts/{id}/comments/{comment_id}/": {"get", "delete"},
    "/api/comments/{comment_id}/": {"get", "delete"},
    "/api/users/{username}/": {"get"},
    "/api/users/{username}/posts/": {"get"},
    "/api/users/{username}/followers/": {"get"},
    "/api/users/{username}/following/": {"get"},
    "/api/users/{username}/follow/": {"post", "delete"},
    "/api/users/{username}/block/": {"post", "delete"},
    "/api/users/{username}/mute/": {"post", "delete"},
    "/api/groups/": {"get", "post"},
    "/api/groups/{slug}/": {"get"},
    "/api/groups/{slug}/posts/": {"get"},
    "/api/groups/{slug}/members/": {"get"},
    "/api/groups/{slug}/membership/": {"post", "delete"},
    "/api/groups/{slug}/requests/": {"get"},
    "/api/groups/{slug}/requests/{username}/": {"post"},
    "/api/notifications/": {"get"},
    "/api/notifications/read/": {"post"},
    "/api/notifications/unread-count/": {"get"},
    "/api/search/": {"get"},
    "/api/search/posts/": {"get"},
    "/api/search/people/": {"get"},
    "/api/search/hashtags/": {"get"},
    "/api/search/groups/": {"get"},
    "/api/timeline/home/": {"get"},
    "/api/reports/": {"post"},
}


@pytest.fixture(scope="module")
def schema_and_problems():
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    problems = [
        message
        for message in [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
        if "social" in message
    ]
    GENERATOR_STATS.reset()
    return schema, problems


def test_the_schema_is_valid_openapi(schema_and_problems):
    schema, _ = schema_and_problems
    validate_schema(schema)


def test_the_social_api_generates_no_schema_warnings(schema_and_problems):
    _, problems = schema_and_problems
    assert problems == []


@pytest.mark.parametrize("path, methods", ENDPOINTS.items())
def test_every_endpoint_is_described(schema_and_problems, path, methods):
    schema, _ = schema_and_problems
    assert path in schema["paths"]
    assert set(schema["paths"][path]) >= methods


def test_lists_are_cursor_paginated_in_the_schema(schema_and_problems):
    schema, _ = schema_and_problems
    for path, operations in schema["paths"].items():
        if not path.startswith(("/api/posts", "/api/users", "/api/groups", "/api/search/")):
            continue
        get = operations.get("get")
        if get and get["operationId"].endswith("_list"):
            names = {p["name"] for p in get.get("parameters", [])}
            assert {"cursor", "page_size"} <= names, path


def test_post_creation_accepts_multipart_for_images(schema_and_problems):
    schema, _ = schema_and_problems
    body = schema["paths"]["/api/posts/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in body and "application/json" in body
    image = schema["components"]["schemas"]["PostCreateRequest"]["properties"]["image"]
    assert image["format"] == "binary"
