"""The flywheel page in a real browser while the loop runs: the six stages with their
figures and sparklines, refreshed by htmx polling as new events are rolled up. Screenshots
go to test-results/screenshots/ (the flywheel and each detail page) to be looked at."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from analytics import rollups
from events.models import Event, EventKind
from tests.analytics.loop_world import build_loop
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
DETAIL_PAGES = ["engagement", "models", "ads", "stakeholders", "experiments"]


@pytest.fixture
def shots(request):
    folder = request.config.rootpath / "test-results" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def staff(sign_in):
    person = UserFactory(username="observer", is_staff=True)
    sign_in(person)
    return person


def test_the_flywheel_turns_while_the_loop_runs(page, staff, settings, shots):
    settings.ANALYTICS_POLL_SECONDS = 1
    world = build_loop(days=2)
    page.set_viewport_size({"width": 1360, "height": 1000})
    page.goto("/staff/flywheel/")
    expect(page.get_by_role("heading", name="The flywheel")).to_be_visible()
    stages = page.locator(".stage")
    expect(stages).to_have_count(6)
    for title in ["Data collected", "Analysis", "Personalisation", "Engagement",
                  "Creation and growth", "Revenue"]:  # fmt: skip
        expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.locator(".flywheel")).to_have_class("flywheel is-turning")
    expect(page.locator(".stage svg[role=img]")).to_have_count(6)
    before = page.locator("#stage-collect .stage__value").inner_text()

    # The loop keeps running: a burst of new events, rolled up as the schedule would.
    person, post = world["people"][5], world["posts"][0]
    now = timezone.now()
    Event.objects.bulk_create(
        Event(kind=EventKind.IMPRESSION, user=person, post_id=post.pk, arm="personalised",
              surface="home", created_at=now - timedelta(seconds=n))
        for n in range(400)
    )  # fmt: skip
    rollups.rollup_recent()
    expect(page.locator("#stage-collect .stage__value")).not_to_have_text(before, timeout=8000)
    page.screenshot(path=str(shots / "flywheel.png"), full_page=True)
    page.set_viewport_size({"width": 400, "height": 800})
    expect(page.locator("#stage-revenue")).to_be_visible()
    page.screenshot(path=str(shots / "flywheel-phone.png"), full_page=True)


@pytest.mark.parametrize("name", DETAIL_PAGES)
def test_every_detail_page_draws_its_charts(page, staff, shots, name):
    build_loop(days=3, people=18)
    page.set_viewport_size({"width": 1360, "height": 1000})
    page.goto(f"/staff/analytics/{name}/?days=7")
    expect(page.locator(".chart-card svg[role=img]").first).to_be_visible()
    expect(page.get_by_role("link", name="Download CSV").first).to_be_visible()
    page.screenshot(path=str(shots / f"analytics-{name}.png"), full_page=True)


def test_wide_tables_scroll_inside_their_card(page, staff, shots):
    """At 1,366 px, the experiments page's tables stay inside their cards: the verdicts wrap
    and fit; the wide table of arms scrolls sideways within its card to its last column."""
    build_loop(days=3, people=18)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/staff/analytics/experiments/?days=7")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    lifts = page.locator("#table-lifts .table-scroll")
    assert lifts.evaluate("el => el.scrollWidth <= el.clientWidth")
    arms = page.locator("#table-arms .table-scroll")
    card = page.locator("#table-arms").bounding_box()
    box = arms.bounding_box()
    assert box["x"] + box["width"] <= card["x"] + card["width"]
    arms.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    edge = page.locator("#table-arms th").last.bounding_box()
    assert edge["x"] + edge["width"] <= box["x"] + box["width"] + 1
    page.screenshot(path=str(shots / "analytics-experiments-tables.png"), full_page=True)
