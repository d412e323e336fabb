"""The API keeps its contract: Schemathesis generates requests from the OpenAPI schema and
sends them to the live test server as a signed-in person; every answer must be no 5xx, carry
a status code the schema lists for the operation, and match the schema's body for it.

Bounded and repeatable: a fixed number of examples per operation and mode, derandomised,
no example database and no shrinking, so a run costs about the same every time and finds the
same things.
"""

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from social import services as social
from tests.factories import CampaignFactory, UserFactory, api_token

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES_PER_OPERATION = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]
# Deleting the account the fuzzer signs in with would end the run.
SKIPPED = {("DELETE", "/api/me/")}


def credentials(user) -> dict:
    """How a client proves who it is: a bearer token, as `POST /api/auth/token/` issues."""
    return {"Authorization": f"Bearer {api_token(user)}"}


@pytest.fixture
def world(db):
    """Something for the generated ids and slugs to find now and then."""
    fuzzer = UserFactory(username="fuzzer")
    other = UserFactory(username="ana")
    post = social.post_create(author=other, text="hello #jazz")
    social.post_create(author=fuzzer, text="my own #jazz")
    social.comment_create(author=fuzzer, post=post, text="nice")
    social.group_create(owner=other, name="Jazz", description="")
    CampaignFactory(advertiser__user=fuzzer, topics=["jazz"])
    return fuzzer


def served_schema() -> dict:
    """The schema /api/schema/ serves, generated in this process (no request needed)."""
    return SchemaGenerator().get_schema(request=None, public=True)


def operations():
    schema = schemathesis.openapi.from_dict(served_schema())
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) not in SKIPPED:
            yield operation


def test_the_api_keeps_its_contract(live_server, world):
    """Every operation, with schema-valid and schema-invalid requests. One test, so the
    database and the world are set up once; every operation's failure is reported."""
    headers = credentials(world)
    failures = {}
    for operation in operations():
        for mode in GenerationMode:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.explicit, Phase.generate],  # no shrinking: report, don't search
            )
            def call(case):
                case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS)

            try:
                call()
            except Unsatisfiable:
                continue  # nothing can be sent wrong here (no parameters, free text only)
            except Exception as failure:
                failures[f"{operation.label} ({mode.value})"] = str(failure)[:3000]
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
