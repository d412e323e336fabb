"""Finding 4: beacons could poison trends, the recommender and the experiments. Keys were
optional, nothing capped impressions or dwell, authors counted their own posts, and the arm
and model version were the client's word: 2,200 unkeyed impressions of one post put its
hashtag in /api/trends/, and a person could choose their own experiment arm."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from events.models import Event, EventKind
from events.serve_tokens import serve_token
from feeds.trends import refresh_trends
from social import services as social
from tests.factories import UserFactory, api_token

pytestmark = pytest.mark.django_db(transaction=True)


def _send(base_url, token, events):
    return requests.post(
        f"{base_url}/api/events/",
        json={"events": events},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )


def _impression(post_id, key, **extra):
    return {"kind": "impression", "post": post_id, "surface": "home", "key": key, **extra}


def test_a_flood_of_impressions_does_not_make_a_trend(live_server):
    author, flooder = UserFactory(username="author"), UserFactory(username="flooder")
    post = social.post_create(author=author, text="Buy my stuff #spamtrend")
    token = api_token(flooder)
    unkeyed = [{"kind": "impression", "post": post.pk, "surface": "home"}] * 200
    assert _send(live_server.url, token, unkeyed).status_code == 400  # keys are required
    for batch in range(11):  # 2,200 impressions, each with its own key
        events = [_impression(post.pk, f"flood-{batch}-{n}") for n in range(200)]
        assert _send(live_server.url, token, events).status_code == 202
    assert Event.objects.filter(kind=EventKind.IMPRESSION, post_id=post.pk).count() == 3
    refresh_trends()
    trends = requests.get(f"{live_server.url}/api/trends/", timeout=30).json()
    assert "spamtrend" not in str(trends)


def test_the_arm_and_model_version_come_from_the_server(live_server, user, other_user):
    social.follow_create(follower=user, followee=other_user)
    post = social.post_create(author=other_user, text="something to see")
    token = api_token(user)
    home = requests.get(
        f"{live_server.url}/api/timeline/home/",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ).json()
    item = next(item for item in home["results"] if item["id"] == post.pk)
    served_arm = item["arm"]
    assert item["serve"] and served_arm
    someone_elses = serve_token(
        viewer_id=other_user.pk, surface="home", arm="ideal", model_version=7
    )
    answer = _send(
        live_server.url,
        token,
        [
            _impression(post.pk, "a", serve=item["serve"], arm="ideal", model_version=999),
            _impression(post.pk, "b", arm="ideal", model_version=999),  # no token: no arm
            _impression(post.pk, "c", serve=item["serve"][:-2] + "xx"),  # forged
            _impression(post.pk, "d", serve=someone_elses),  # another person's page
        ],
    )
    assert answer.status_code == 202 and answer.json()["accepted"] == 3  # the 4th: capped
    stored = dict(
        Event.objects.filter(user=user, kind=EventKind.IMPRESSION).values_list("client_key", "arm")
    )
    assert stored == {"a": served_arm, "b": "", "c": ""}
    versions = set(Event.objects.filter(user=user).values_list("model_version", flat=True))
    assert 999 not in versions and 7 not in versions


def test_own_posts_and_dwell_past_the_cap_do_not_count(live_server, user, other_user):
    mine = social.post_create(author=user, text="my own post")
    theirs = social.post_create(author=other_user, text="theirs")
    token = api_token(user)
    dwell = [
        {"kind": "dwell", "post": theirs.pk, "dwell_ms": 240_000, "surface": "home", "key": f"d{n}"}
        for n in range(4)
    ]
    answer = _send(live_server.url, token, [_impression(mine.pk, "own"), *dwell]).json()
    assert answer["accepted"] == 2  # 2 x 4 minutes; a third would pass 10 minutes an hour
    assert [row["index"] for row in answer["ignored"]] == [0, 3, 4]
    assert "own posts" in answer["ignored"][0]["reason"]
    assert not Event.objects.filter(post_id=mine.pk, kind=EventKind.IMPRESSION).exists()


def test_caps_hold_under_concurrent_batches(live_server, user, other_user):
    post = social.post_create(author=other_user, text="popular?")
    token = api_token(user)

    def batch(n):
        events = [_impression(post.pk, f"c{n}-{i}") for i in range(3)]
        return _send(live_server.url, token, events).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        assert set(pool.map(batch, range(10))) == {202}
    assert Event.objects.filter(kind=EventKind.IMPRESSION, post_id=post.pk).count() == 3


def test_the_browser_cards_carry_the_serve_token_not_the_arm_as_authority(client, user, other_user):
    social.follow_create(follower=user, followee=other_user)
    social.post_create(author=other_user, text="a card")
    client.force_login(user)
    page = client.get("/").content.decode()
    assert 'data-serve="' in page
