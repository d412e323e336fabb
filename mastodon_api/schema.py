"""The Mastodon API in the OpenAPI schema: canonical paths, and the OAuth endpoints. Those
are django-oauth-toolkit's views, not DRF's, so drf-spectacular cannot see them; this
post-processing hook describes them, with the same error answers as every other operation
(flywheel.schema). The consent page
(/oauth/authorize) is a page for people, not an API operation: docs/mastodon.md has it."""

ERROR = {"$ref": "#/components/schemas/Error"}
OBJECT = {"type": "object", "additionalProperties": {}}
FORM = "application/x-www-form-urlencoded"


def _answers(ok: str) -> dict:
    def error(description):
        return {"description": description, "content": {"application/json": {"schema": ERROR}}}

    return {
        "200": {"description": ok, "content": {"application/json": {"schema": OBJECT}}},
        "400": error("The request is not valid (`error`, `error_description`)."),
        "401": error("The client's credentials are not valid."),
        "403": error("The client may not do this."),
        "429": error("Too many requests."),
    }


def _form(properties: dict, required: list[str]) -> dict:
    schema = {"type": "object", "properties": properties, "required": required}
    return {"required": True, "content": {FORM: {"schema": schema}}}


STRING = {"type": "string"}
PATHS = {
    "/oauth/token": {
        "post": {
            "operationId": "mastodon_oauth_token",
            "summary": "Mastodon: a token (authorization_code with optional PKCE, "
            "refresh_token, client_credentials)",
            "tags": ["mastodon"],
            "security": [],
            "requestBody": _form(
                {
                    "grant_type": {
                        "type": "string",
                        "enum": ["authorization_code", "refresh_token", "client_credentials"],
                    },
                    "client_id": STRING,
                    "client_secret": STRING,
                    "code": STRING,
                    "code_verifier": STRING,
                    "redirect_uri": STRING,
                    "refresh_token": STRING,
                    "scope": STRING,
                },
                ["grant_type"],
            ),
            "responses": _answers("`access_token`, `token_type`, `scope`, `expires_in`."),
        }
    },
    "/oauth/revoke": {
        "post": {
            "operationId": "mastodon_oauth_revoke",
            "summary": "Mastodon: revoke a token (RFC 7009); answers {}",
            "tags": ["mastodon"],
            "security": [],
            "requestBody": _form(
                {"client_id": STRING, "client_secret": STRING, "token": STRING}, ["token"]
            ),
            "responses": _answers("Revoked (or never valid): `{}`."),
        }
    },
    "/.well-known/oauth-authorization-server": {
        "get": {
            "operationId": "mastodon_oauth_metadata",
            "summary": "Mastodon: OAuth 2 server metadata (RFC 8414)",
            "tags": ["mastodon"],
            "security": [],
            "responses": {
                key: value for key, value in _answers("The endpoints").items() if key != "400"
            },
        }
    },
}


def add_oauth_endpoints(result, generator, request, public):
    """Add the OAuth endpoints, and give the Mastodon paths their canonical form: Mastodon's
    have no trailing slash (ours answer with or without one, which drf-spectacular shows as
    a slash)."""
    paths = {}
    for path, operations in result.get("paths", {}).items():
        if path.startswith(("/api/v1/", "/api/v2/")):
            path = path.rstrip("/")
        paths[path] = operations
    paths.update(PATHS)
    result["paths"] = paths
    return result
