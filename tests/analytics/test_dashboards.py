"""The staff pages: who may see them, that each renders with and without data in a bounded
number of queries, the htmx refresh of the flywheel, and the CSV download of every table."""

import csv
import io

import pytest
from django.urls import reverse

from analytics.views import PAGES
from tests.analytics.loop_world import build_loop
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URLS = [reverse("analytics:flywheel")] + [reverse(f"analytics:{name}") for name in PAGES]
GUARDED = [*URLS, reverse("analytics:index")]
MAX_QUERIES = 14


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="boss", is_staff=True))
    return client


@pytest.fixture
def member_client(client):
    client.force_login(UserFactory(username="member"))
    return client


@pytest.fixture
def loop(db):
    return build_loop(days=1, people=10)


@pytest.mark.parametrize("url", GUARDED)
def test_anonymous_people_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url", GUARDED)
def test_people_who_are_not_staff_are_refused(member_client, url):
    assert member_client.get(url).status_code == 403
    assert member_client.get(url + "?download=by-arm").status_code == 403


@pytest.mark.parametrize("url", URLS)
def test_every_page_renders_without_data(staff_client, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = staff_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "No data" in page or "No figures yet" in page
    assert 'role="img"' in page  # even an empty chart says what it would show


@pytest.mark.parametrize("url", URLS)
def test_every_page_renders_with_data(loop, staff_client, url, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = staff_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('<svg class="chart') >= 3
    assert "<title" in page and "<desc" in page


def test_the_pages_cost_the_same_queries_with_more_data(staff_client, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost():
        counts = []
        for url in URLS:
            with CaptureQueriesContext(connection) as queries:
                staff_client.get(url + "?days=30")
            counts.append(len(queries))
        return counts

    build_loop(days=1, people=10, seed=1, prefix="few")
    small = cost()
    build_loop(days=4, people=20, seed=2, prefix="many")
    assert cost() == small


def test_the_flywheel_shows_six_stages_that_link_to_their_details(loop, staff_client):
    page = staff_client.get(reverse("analytics:flywheel")).content.decode()
    for title in ["Data collected", "Analysis", "Personalisation", "Engagement",
                  "Creation and growth", "Revenue"]:  # fmt: skip
        assert title in page
    for name in ["engagement", "models", "ads"]:
        assert reverse(f"analytics:{name}") in page
    assert "The loop is turning" in page
    assert "is-turning" in page


def test_the_flywheel_refreshes_itself_with_htmx(loop, staff_client, settings):
    settings.ANALYTICS_POLL_SECONDS = 7
    page = staff_client.get(reverse("analytics:flywheel")).content.decode()
    assert 'hx-trigger="every 7s"' in page
    fragment = staff_client.get(reverse("analytics:flywheel"), HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert body.lstrip().startswith("<section") and "<html" not in body
    assert 'id="flywheel"' in body and 'hx-swap="outerHTML"' in body


def test_a_link_to_the_flywheel_is_in_the_navigation_for_staff_only(staff_client, db):
    from django.test import Client

    link = f'href="{reverse("analytics:flywheel")}"'
    assert link in staff_client.get(reverse("accounts:settings")).content.decode()
    member = Client()
    member.force_login(UserFactory(username="member"))
    assert link not in member.get(reverse("accounts:settings")).content.decode()


def test_a_period_outside_the_choices_is_a_plain_400(staff_client):
    response = staff_client.get(reverse("analytics:engagement") + "?days=5")
    assert response.status_code == 400
    assert "Choose a period of 1, 7, 30 or 90 days" in response.content.decode()


@pytest.mark.parametrize("days", ["1", "7", "30", "90"])
def test_every_period_renders(loop, staff_client, days):
    for name in PAGES:
        assert staff_client.get(reverse(f"analytics:{name}") + f"?days={days}").status_code == 200


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_every_table_of_every_page_downloads_as_csv(loop, staff_client):
    import re

    for name in PAGES:
        url = reverse(f"analytics:{name}")
        page = staff_client.get(url).content.decode()
        tables = re.findall(r"download=([\w-]+)", page)
        assert tables, name
        for table in tables:
            rows = read_csv(staff_client.get(f"{url}?days=7&download={table}"))
            assert len(rows[0]) >= 2, (name, table)


def test_the_csv_holds_the_exact_numbers_of_the_table(loop, staff_client):
    rows = read_csv(staff_client.get(reverse("analytics:engagement") + "?download=by-arm"))
    header, *body = rows
    assert header[:4] == ["Arm", "Active people per day", "Sessions", "Impressions"]
    assert "Engagements per impression (fraction)" in header
    arms = {row[0] for row in body}
    assert {"chronological", "personalised", "personalised-diverse", "opted-out"} <= arms
    column = {name: header.index(name) for name in header}
    served = [row for row in body if int(row[column["Impressions"]])]
    assert served, "the loop served impressions in some arm"
    for row in served:  # an arm with posts but no impressions has no rate, and says so blank
        engaged = sum(int(row[column[name]]) for name in ["Likes", "Shares", "Comments", "Clicks"])
        rate = float(row[column["Engagements per impression (fraction)"]])
        assert rate == pytest.approx(engaged / int(row[column["Impressions"]]))
    assert all(row[column["Engagements per impression (fraction)"]] == ""
               for row in body if not int(row[column["Impressions"]]))  # fmt: skip


def test_an_unknown_table_is_a_404_that_names_the_real_ones(staff_client):
    response = staff_client.get(reverse("analytics:engagement") + "?download=nope")
    assert response.status_code == 404
    assert "by-arm" in response.content.decode()


def test_a_name_in_a_csv_never_runs_as_a_formula(loop, staff_client):
    from ads.models import Campaign

    Campaign.objects.filter(pk=loop["campaigns"][0].pk).update(name="=HYPERLINK(1)")
    rows = read_csv(staff_client.get(reverse("analytics:ads") + "?download=by-campaign"))
    assert "'=HYPERLINK(1)" in [row[0] for row in rows]


def test_the_rollups_are_read_only_in_the_admin_and_can_be_recomputed(client, settings):
    from analytics import rollups
    from analytics.models import HourlyTotals
    from tests.analytics.rollup_world import EVENING, HOUR_12, build_world

    build_world()
    row = rollups.rollup_period(rollups.HOURLY, HOUR_12, now=EVENING)
    HourlyTotals.objects.filter(pk=row.pk).update(events=0)  # damaged by hand
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    changelist = reverse("admin:analytics_hourlytotals_changelist")
    assert client.get(changelist).status_code == 200
    assert client.get(reverse("admin:analytics_hourlytotals_add")).status_code == 403
    response = client.post(
        changelist, {"action": "recompute", "_selected_action": [row.pk]}, follow=True
    )
    assert "Recomputed 0 period(s)." in response.content.decode()  # past the retention
    assert "past the event retention" in response.content.decode()
    settings.EVENT_RETENTION_DAYS = 10_000
    response = client.post(
        changelist, {"action": "recompute", "_selected_action": [row.pk]}, follow=True
    )
    assert "Recomputed 1 period(s)." in response.content.decode()
    assert HourlyTotals.objects.get(period_start=HOUR_12).events == 7


def test_the_analytics_index_links_every_detail_page(staff_client):
    """/staff/analytics/, which the README names as the home of the detail pages, lists them
    all, and every link it gives opens."""
    response = staff_client.get("/staff/analytics/")
    assert response.status_code == 200
    html = response.content.decode()
    wanted = [reverse("analytics:flywheel"), reverse("feeds_staff:models")] + [
        reverse(f"analytics:{name}") for name in PAGES
    ]
    for url in wanted:
        assert f'href="{url}"' in html
        assert staff_client.get(url).status_code == 200
    for page in PAGES.values():
        assert page.title in html


def test_experiments_show_how_much_each_arm_reads_following(loop, staff_client):
    from datetime import timedelta

    from django.utils import timezone

    from analytics import rollups
    from events.models import Event, EventKind

    # Someone of an arm reads For you, then the Following tab: their impressions there carry
    # no arm (the For you one, in the same hour, says which arm they are in).
    reader = Event.objects.filter(kind=EventKind.IMPRESSION).exclude(arm="").first()
    now = timezone.now()
    Event.objects.create(kind=EventKind.IMPRESSION, user_id=reader.user_id, surface="home",
                         post_id=reader.post_id, arm=reader.arm, created_at=now)  # fmt: skip
    Event.objects.bulk_create(
        Event(kind=EventKind.IMPRESSION, user_id=reader.user_id, post_id=reader.post_id,
              surface="following", created_at=now)
        for n in range(5)
    )  # fmt: skip
    rollups.rollup_recent(now=now + timedelta(seconds=1))
    page = staff_client.get("/staff/analytics/experiments/?days=1")
    assert "Share read on Following" in page.content.decode()
    rows = page.context["report"].table("arms").rows
    assert any(row["following_share"] > 0 for row in rows if row["arm"] == reader.arm)
