"""The beacon script: what a person sees on explore, and for how long, reaches the event log."""

import time

from playwright.sync_api import expect

from events.models import Event, EventKind
from tests.factories import UserFactory
from tests.social.factories import PostFactory


def wait_for_events(user, kind, count, timeout=5.0):
    """The beacon is sent in the background; poll the database until its rows are there."""
    deadline = time.monotonic() + timeout
    while True:
        events = list(Event.objects.filter(user=user, kind=kind).order_by("position", "id"))
        if len(events) >= count or time.monotonic() > deadline:
            return events
        time.sleep(0.1)


def on_screen_post_ids(page):
    """Posts at least half visible now, as the script judges them."""
    return page.evaluate(
        """() => [...document.querySelectorAll("[data-track-post]")].filter(card => {
            const box = card.getBoundingClientRect();
            const shown = Math.min(box.bottom, innerHeight) - Math.max(box.top, 0);
            return shown >= box.height / 2;
        }).map(card => Number(card.dataset.trackPost))"""
    )


def test_impressions_and_dwell_reach_the_event_log(page, sign_in, user):
    author = UserFactory(username="writer")
    posts = [PostFactory(author=author, text=f"Story {n}") for n in range(12)]
    newest_first = [p.pk for p in reversed(posts)]
    sign_in(user)
    page.goto("/explore/")
    expect(page.locator("#post-list article.post")).to_have_count(12)
    page.wait_for_function("() => window.flywheelBeacons !== undefined")
    seen_at_top = on_screen_post_ids(page)
    assert seen_at_top and seen_at_top == newest_first[: len(seen_at_top)]
    count = len(seen_at_top)

    # Seen for over a second: one impression each is queued; sent at once on request.
    page.wait_for_function(f"() => window.flywheelBeacons.pending() >= {count}")
    page.evaluate("window.flywheelBeacons.flush()")
    impressions = wait_for_events(user, EventKind.IMPRESSION, count)
    assert [e.post_id for e in impressions] == seen_at_top
    assert {e.surface for e in impressions} == {"explore"}
    assert [e.position for e in impressions] == list(range(count))
    assert all(e.client_key for e in impressions)

    # Scroll to the end: the first posts leave the screen and their dwell is measured.
    page.locator("#post-list article.post").last.scroll_into_view_if_needed()
    seen_at_end = on_screen_post_ids(page)
    assert seen_at_end and not set(seen_at_end) & set(seen_at_top)
    page.wait_for_function(f"() => window.flywheelBeacons.pending() >= {count}")
    page.evaluate("window.flywheelBeacons.flush()")
    dwells = wait_for_events(user, EventKind.DWELL, count)
    assert [e.post_id for e in dwells] == seen_at_top
    assert {e.surface for e in dwells} == {"explore"}
    assert [e.position for e in dwells] == list(range(count))
    assert all(1000 <= e.dwell_ms < 60_000 for e in dwells)

    # Posts further down are seen in their turn, each once, at their place in the list.
    page.wait_for_function(f"() => window.flywheelBeacons.pending() >= {len(seen_at_end)}")
    page.evaluate("window.flywheelBeacons.flush()")
    impressions = wait_for_events(user, EventKind.IMPRESSION, count + len(seen_at_end))
    ids = [e.post_id for e in impressions]
    assert sorted(ids) == sorted(seen_at_top + seen_at_end)  # each seen post once
    assert all(e.position == newest_first.index(e.post_id) for e in impressions)


def test_leaving_the_page_sends_what_is_queued(page, sign_in, user):
    post = PostFactory(author=UserFactory(username="writer"), text="Only story")
    sign_in(user)
    page.goto("/explore/")
    page.wait_for_function("() => window.flywheelBeacons && window.flywheelBeacons.pending() >= 1")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Groups").click()
    expect(page.get_by_role("heading", name="Groups", exact=True)).to_be_visible()

    impressions = wait_for_events(user, EventKind.IMPRESSION, 1)
    assert [(e.post_id, e.surface, e.position) for e in impressions] == [(post.pk, "explore", 0)]
    dwell = wait_for_events(user, EventKind.DWELL, 1)
    assert [(e.post_id, e.surface) for e in dwell] == [(post.pk, "explore")]
    assert dwell[0].dwell_ms >= 1000


def test_clicking_the_author_records_a_click(page, sign_in, user):
    author = UserFactory(username="writer", display_name="Wren Writer")
    post = PostFactory(author=author, text="Click my name")
    sign_in(user)
    page.goto("/explore/")
    page.wait_for_function("() => window.flywheelBeacons !== undefined")
    page.locator(f"#post-{post.pk}").get_by_role("link", name="Wren Writer @writer").click()
    expect(page.get_by_role("heading", name="Wren Writer")).to_be_visible()

    clicks = wait_for_events(user, EventKind.CLICK, 1)
    assert [(e.post_id, e.surface, e.position, e.target_user_id) for e in clicks] == [
        (post.pk, "explore", 0, author.pk)
    ]
