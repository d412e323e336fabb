"""Stable pagination: the ranked list is computed once per first page, later pages read it by
position, so scrolling never repeats or skips a post even while new posts arrive; sponsored
slots keep their positions."""

import pickle
import re
from datetime import timedelta
from urllib.parse import unquote

import numpy as np
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from feeds.models import FeedArm
from feeds.ranking import Candidate
from feeds.snapshot import (
    SPONSORED,
    SPONSORED_EVERY,
    Entries,
    Snapshot,
    decode_cursor,
    load_snapshot,
)
from social import services
from tests.factories import sign_in_api
from tests.feeds.home_helpers import api_home, person, put_everyone_in, write

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _models(served_models):
    """Every test here serves models of its own (tests/feeds/conftest.py)."""


@pytest.fixture(params=[FeedArm.Strategy.PERSONALISED, FeedArm.Strategy.DIVERSE])
def ana(request, db):
    put_everyone_in(request.param)
    reader = person("ana")
    authors = [person() for _ in range(8)]
    for author in authors[:4]:
        services.follow_create(follower=reader, followee=author)
    for n in range(40):
        write(authors[n % 8], f"post {n} #tag{n % 5}", age=timedelta(minutes=40 - n))
    return reader


@pytest.fixture
def ana_api(ana):
    from rest_framework.test import APIClient

    client = APIClient()
    sign_in_api(client, ana)
    return client


def snapshot_of(next_link: str, user_id: int):
    cursor = re.search(r"cursor=([^&]+)", next_link)[1]
    snapshot_id, _ = decode_cursor(unquote(cursor))
    return load_snapshot(user_id, snapshot_id)


def test_three_pages_have_no_repeats_or_gaps_while_new_posts_arrive(ana, ana_api):
    first = api_home(ana_api, page_size=5)
    snapshot = snapshot_of(first["next"], ana.pk)
    new_posts = [write(person(), f"breaking {n}") for n in range(3)]
    second = ana_api.get(first["next"]).json()
    new_posts.append(write(ana.following_set.first().followee, "more breaking news"))
    third = ana_api.get(second["next"]).json()
    seen = [item["id"] for page in (first, second, third) for item in page["results"]]
    ranked = [entry["post"] for entry in snapshot.entries if "post" in entry]
    assert len(seen) == 15 and len(set(seen)) == 15
    assert seen == ranked[:15]
    assert not {p.pk for p in new_posts} & set(seen)
    # The previous link goes back to exactly the page before.
    back = ana_api.get(third["previous"]).json()
    assert [i["id"] for i in back["results"]] == [i["id"] for i in second["results"]]
    # A new first page is a new snapshot, with the new posts in it.
    fresh = api_home(ana_api, page_size=100)
    assert {p.pk for p in new_posts} <= {item["id"] for item in fresh["results"]}


def test_scrolling_to_the_end_shows_every_ranked_post_once(ana, ana_api):
    body = api_home(ana_api, page_size=7)
    snapshot = snapshot_of(body["next"], ana.pk)
    seen = [item["id"] for item in body["results"]]
    while body["next"]:
        body = ana_api.get(body["next"]).json()
        seen += [item["id"] for item in body["results"]]
    assert seen == [entry["post"] for entry in snapshot.entries if "post" in entry]


def test_the_home_page_scrolls_through_the_same_snapshot(client, ana):
    client.force_login(ana)
    response = client.get(reverse("social:home"))
    page = response.content.decode()
    seen = [int(pk) for pk in re.findall(r'data-track-post="(\d+)"', page)]
    positions = [int(p) for p in re.findall(r'data-position="(\d+)"', page)]
    write(person(), "arrives while scrolling")
    next_url = re.search(r'hx-get="([^"]*cursor=[^"]*)"', page)[1].replace("&amp;", "&")
    snapshot = snapshot_of(next_url, ana.pk)
    while next_url:
        fragment = client.get(next_url, **HTMX).content.decode()
        assert "<html" not in fragment.lower()
        seen += [int(pk) for pk in re.findall(r'data-track-post="(\d+)"', fragment)]
        positions += [int(p) for p in re.findall(r'data-position="(\d+)"', fragment)]
        found = re.search(r'hx-get="([^"]*cursor=[^"]*)"', fragment)
        next_url = found[1].replace("&amp;", "&") if found else None
    assert seen == [entry["post"] for entry in snapshot.entries if "post" in entry]
    assert len(seen) == len(set(seen)) > 20  # more than one page
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    assert not any((p + 1) % SPONSORED_EVERY == 0 for p in positions)  # slots stay empty


def test_every_sixth_position_is_a_sponsored_slot_left_out_of_the_pages(ana, ana_api):
    first = api_home(ana_api, page_size=3)
    snapshot = snapshot_of(first["next"], ana.pk)
    slots = [i for i, entry in enumerate(snapshot.entries) if "slot" in entry]
    assert slots and all((i + 1) % SPONSORED_EVERY == 0 for i in slots)
    assert all(snapshot.entries[i]["slot"] == SPONSORED for i in slots)
    assert len(slots) == (snapshot.post_count - 1) // (SPONSORED_EVERY - 1)
    assert "slot" not in snapshot.entries[-1]  # slots sit between posts
    everything = api_home(ana_api, page_size=100)
    assert len(everything["results"]) == snapshot.post_count


def test_an_expired_snapshot_starts_again_from_a_fresh_ranking(ana, ana_api):
    first = api_home(ana_api, page_size=5)
    cache.clear()
    again = ana_api.get(first["next"])
    assert again.status_code == 200
    assert len(again.json()["results"]) == 5


def test_someone_elses_cursor_is_not_a_way_into_their_feed(ana, ana_api):
    first = api_home(ana_api, page_size=5)
    intruder = person("intruder")
    from rest_framework.test import APIClient

    other = APIClient()
    sign_in_api(other, intruder)
    body = other.get(first["next"]).json()  # their own fresh ranking, not ana's snapshot
    assert snapshot_of(first["next"], intruder.pk) is None
    assert "results" in body


@pytest.mark.parametrize("cursor", ["not a cursor", "eyJzIjoiYSIsInAiOjF9"])
def test_made_up_cursors_are_refused(ana, ana_api, client, cursor):
    response = ana_api.get("/api/timeline/home/", {"cursor": cursor})
    assert response.status_code == 400  # bad input, as on the page
    assert "cursor is not valid" in response.json()["cursor"][0]
    client.force_login(ana)
    assert client.get(reverse("social:home"), {"cursor": cursor}).status_code == 400


def ranked(count: int, *, features) -> list[Candidate]:
    items = []
    for n in range(1, count + 1):
        row = features(n)
        items.append(
            Candidate(
                id=1000 + n, author_id=1, author="bo", group_id=None, group_name=None,
                likes=0, shares=0, created_at=timezone.now(), source="model",
                reason=f"reason {n % 3}",
                shared={"username": "bo", "comment": "", "at": timezone.now()}
                if n % 4 == 0 else None,
                features=None if row is None else np.frombuffer(row, dtype=np.float32),
            )
        )  # fmt: skip
    return items


def as_entry(item: Candidate) -> dict:
    entry = {"post": item.id, "reason": item.reason, "source": item.source}
    if item.shared:
        entry["shared"] = item.shared
    if item.features is not None:
        entry["features"] = item.features.tobytes()
    return entry


@pytest.mark.parametrize(
    "features",
    [
        lambda n: bytes([n]) * 8,  # every post's row, one length: kept as one blob
        lambda n: None,  # an arm that computes none
        lambda n: bytes([n]) * 8 if n % 2 else None,  # some: kept one by one
    ],
    ids=["all", "none", "some"],
)
def test_a_cached_snapshot_reads_back_entry_for_entry(features):
    items = ranked(40, features=features)
    snapshot = Snapshot("s1", 7, "personalised", 3, Entries.laid_out(items), timezone.now())
    entries = list(snapshot.entries)
    slots = [index for index, entry in enumerate(entries) if entry == {"slot": SPONSORED}]
    assert slots == list(range(SPONSORED_EVERY - 1, 47, SPONSORED_EVERY))  # 6th, 12th, ...
    assert [entry for entry in entries if "post" in entry] == [as_entry(i) for i in items]

    kept = pickle.loads(pickle.dumps(snapshot.as_cached()))
    read = Snapshot.from_cached(kept)
    assert list(read.entries) == entries
    assert read.entries[-1] == entries[-1] and read.entries[5:9] == entries[5:9]
    assert Snapshot("s2", 7, "personalised", 3, entries, timezone.now()).entries[:] == entries
    for position in (0, 5, 17, 40):
        assert read.window(position, 7) == snapshot.window(position, 7)
        assert read.previous_position(position, 7) == snapshot.previous_position(position, 7)


def test_a_snapshot_cached_in_another_layout_reads_as_expired(ana):
    cache.set(
        f"feeds:home-snapshot:{ana.pk}:old",
        {"id": "old", "user_id": ana.pk, "arm": "personalised", "model_version": None,
         "entries": [{"post": 1, "reason": "", "source": "fresh"}], "created_at": timezone.now()},
    )  # fmt: skip
    assert load_snapshot(ana.pk, "old") is None
