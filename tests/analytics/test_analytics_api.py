"""/api/analytics/...: the dashboards' figures for staff tokens only, with the same numbers as
the pages, validated periods, and a place in the OpenAPI schema."""

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from analytics import rollups
from analytics.periods import Period
from analytics.reports import engagement_report
from tests.analytics.rollup_world import DAY, HOUR_12, HOUR_13, build_world
from tests.factories import UserFactory, sign_in_api

pytestmark = pytest.mark.django_db

NAMES = ["flywheel", "engagement", "models", "ads", "stakeholders", "experiments"]
URLS = [reverse(f"api-analytics-{name}") for name in NAMES]


def token_client(user) -> APIClient:
    client = APIClient()
    sign_in_api(client, user)
    return client


@pytest.fixture
def staff_api():
    return token_client(UserFactory(username="analyst", is_staff=True))


@pytest.fixture
def member_api():
    return token_client(UserFactory(username="member"))


@pytest.mark.parametrize("url", URLS)
def test_anonymous_clients_must_authenticate(url):
    response = APIClient().get(url)
    assert response.status_code == 401
    assert "credentials" in response.json()["detail"].lower()


@pytest.mark.parametrize("url", URLS)
def test_ordinary_tokens_are_refused(member_api, url):
    response = member_api.get(url)
    assert response.status_code == 403
    assert response.json()["detail"] == "The analytics are for staff only."


@pytest.mark.parametrize("url", URLS)
def test_staff_tokens_get_the_figures_even_with_no_data(staff_api, url):
    response = staff_api.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_staff_sessions_work_too(client):
    client.force_login(UserFactory(username="boss", is_staff=True))
    assert client.get(reverse("api-analytics-engagement")).status_code == 200


def test_a_bad_period_is_a_400_with_a_message(staff_api):
    response = staff_api.get(reverse("api-analytics-engagement"), {"days": "week"})
    assert response.status_code == 400
    assert "Choose a period of 1, 7, 30 or 90 days" in str(response.json())


def test_the_api_reports_the_same_numbers_as_the_page(staff_api):
    build_world()
    rollups.rollup_range(rollups.HOURLY, HOUR_12, HOUR_13, now=HOUR_13)
    rollups.rollup_range(rollups.DAILY, DAY, DAY, now=HOUR_13)
    now = DAY + timedelta(hours=20)
    expected = engagement_report(Period(days=7, now=now)).as_json()
    with mock.patch("django.utils.timezone.now", return_value=now):
        body = staff_api.get(reverse("api-analytics-engagement"), {"days": 7}).json()
    assert body["period"] == expected["period"]
    assert body["figures"] == expected["figures"]
    by_arm = next(t for t in body["tables"] if t["name"] == "by-arm")
    rows = {row["arm"]: row for row in by_arm["rows"]}
    # The day's figures of rollup_world: cy (personalised) saw 2 posts and liked 1.
    assert rows["personalised"]["impressions"] == 2
    assert rows["personalised"]["likes_per_impression"] == 0.5
    assert rows["chronological"]["impressions"] == 2 and rows["chronological"]["clicks"] == 1
    assert by_arm["columns"][0] == {"key": "arm", "label": "Arm", "unit": "text"}
    figures = {f["label"]: f["value"] for f in body["figures"]}
    assert figures["Impressions"] == 4 and figures["New people"] == 1


def test_the_flywheel_stages_come_with_their_hourly_series(staff_api):
    build_world()
    now = HOUR_13 + rollups.HOUR * 0.75
    rollups.rollup_range(rollups.HOURLY, HOUR_12, HOUR_13, now=now)
    with mock.patch("django.utils.timezone.now", return_value=now):
        body = staff_api.get(reverse("api-analytics-flywheel")).json()
    assert body["state"] == "turning"
    stages = {stage["key"]: stage for stage in body["stages"]}
    assert list(stages) == ["collect", "analyse", "personalise", "engage", "create", "revenue"]
    # The last 60 minutes at 13:45: all of hour 13 (5 events) and the last quarter of hour 12
    # (7 events), assuming they were spread evenly: 5 + 7 / 4.
    assert stages["collect"]["value"] == pytest.approx(6.75)
    assert len(stages["collect"]["series"]) == 24
    assert stages["collect"]["series"][-1]["value"] == 5
    assert stages["collect"]["series"][-2]["value"] == 7


def test_every_endpoint_is_in_the_openapi_schema():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    for name in NAMES:
        assert "get" in schema["paths"][f"/api/analytics/{name}/"]
