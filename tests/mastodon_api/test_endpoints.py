"""The endpoints a client shows, one by one: entities, errors in Mastodon's shape, paging by
Link headers, rate-limit headers, CORS, Idempotency-Key, media checks, notifications,
markers, the Following list and the rest."""

import io
import re
import threading

import pytest
from django.db import connection
from PIL import Image
from rest_framework.test import APIClient

from events.models import Event, EventKind
from feeds.models import FeedArm
from mastodon_api.models import MediaUpload
from social import services as social
from social.models import Notification, Post
from tests.factories import UserFactory


@pytest.fixture
def ana(user, client_with_scope):
    return client_with_scope(user, "read write follow push")


def png(size=(20, 20)) -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", size, (0, 120, 200)).save(data, format="PNG")
    data.seek(0)
    data.name = "blue.png"
    return data


def links(answer) -> dict[str, str]:
    header = answer.get("Link", "")
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', header)}


def test_instance_tells_our_real_limits(db, settings):
    settings.MAX_IMAGE_BYTES = 3_000_000
    v1 = APIClient().get("/api/v1/instance").json()
    v2 = APIClient().get("/api/v2/instance/").json()  # with the slash some clients add
    assert v1["version"].startswith("4.3.0 (compatible; Flywheel")
    for body in (v1, v2):
        config = body["configuration"]
        assert config["statuses"]["max_characters"] == 500
        assert config["statuses"]["max_media_attachments"] == 1
        assert config["media_attachments"]["image_size_limit"] == 3_000_000
        assert "image/png" in config["media_attachments"]["supported_mime_types"]
        assert body["flywheel_rate_limits"]["requests_per_user"] == "1200/min"


def test_unknown_endpoints_and_records_answer_in_mastodon_shape(ana):
    assert ana.get("/api/v1/nope").json() == {
        "error": "This Mastodon API endpoint does not exist here."
    }
    answer = ana.get("/api/v1/statuses/999999")
    assert answer.status_code == 404 and answer.json() == {"error": "Record not found"}
    assert ana.get("/api/v1/statuses/abc").status_code == 404


def test_bad_input_is_422_with_the_reason(ana):
    answer = ana.post("/api/v1/statuses", {"status": "x" * 501}, format="json")
    assert answer.status_code == 422
    assert answer.json()["error"].startswith("Validation failed")
    assert "500" in answer.json()["error"]
    answer = ana.post("/api/v1/statuses", {"status": "hi", "visibility": "direct"}, format="json")
    assert answer.status_code == 422 and "direct" in answer.json()["error"]
    assert ana.get("/api/v1/timelines/public", {"max_id": "x"}).status_code == 422
    assert not Post.objects.exists()


def test_media_is_checked_as_on_the_site_and_used_once(ana, user):
    fake = io.BytesIO(b"not an image at all")
    fake.name = "fake.png"
    answer = ana.post("/api/v2/media", {"file": fake}, format="multipart")
    assert answer.status_code == 422
    media = ana.post("/api/v2/media", {"file": png()}, format="multipart").json()
    assert media["type"] == "image"
    status = ana.post(
        "/api/v1/statuses", {"status": "pic", "media_ids[]": [media["id"]]}, format="multipart"
    ).json()
    assert status["media_attachments"][0]["url"].endswith(".png")
    assert Post.objects.get().image
    assert not MediaUpload.objects.exists()
    again = ana.post("/api/v1/statuses", {"status": "x", "media_ids": [media["id"]]}, format="json")
    assert again.status_code == 422


def test_someone_elses_media_cannot_be_attached(ana, other_user, client_with_scope):
    theirs = client_with_scope(other_user, "write")
    media = theirs.post("/api/v2/media", {"file": png()}, format="multipart").json()
    answer = ana.post(
        "/api/v1/statuses", {"status": "x", "media_ids": [media["id"]]}, format="json"
    )
    assert answer.status_code == 422
    assert MediaUpload.objects.filter(owner=other_user).exists()


def test_an_idempotency_key_posts_once(ana):
    headers = {"HTTP_IDEMPOTENCY_KEY": "abc-123"}
    first = ana.post("/api/v1/statuses", {"status": "once"}, format="json", **headers)
    second = ana.post("/api/v1/statuses", {"status": "once"}, format="json", **headers)
    assert first.json()["id"] == second.json()["id"]
    other = ana.post("/api/v1/statuses", {"status": "once"}, format="json")
    assert other.json()["id"] != first.json()["id"]
    assert Post.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_post_once(user, client_with_scope):
    results = []
    token = client_with_scope(user, "write").raw_token

    def send():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        answer = client.post(
            "/api/v1/statuses", {"status": "race"}, format="json", HTTP_IDEMPOTENCY_KEY="k1"
        )
        results.append(answer.json()["id"])
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and len(results) == 4
    assert Post.objects.count() == 1


def test_public_timeline_pages_by_link_header(ana, other_user):
    ids = [social.post_create(author=other_user, text=f"p{n}").pk for n in range(5)]
    first = ana.get("/api/v1/timelines/public", {"limit": 2})
    assert [int(s["id"]) for s in first.json()] == ids[::-1][:2]
    pages = links(first)
    second = ana.get(pages["next"])
    assert [int(s["id"]) for s in second.json()] == ids[::-1][2:4]
    newer = ana.get(links(second)["prev"])
    assert [int(s["id"]) for s in newer.json()] == ids[::-1][:2]
    since = ana.get("/api/v1/timelines/public", {"since_id": ids[2]})
    assert [int(s["id"]) for s in since.json()] == ids[::-1][:2]


def test_tag_timeline_and_account_statuses(ana, other_user):
    tagged = social.post_create(author=other_user, text="#Jazz tonight")
    social.post_create(author=other_user, text="no tag")
    assert [s["id"] for s in ana.get("/api/v1/timelines/tag/jazz").json()] == [str(tagged.pk)]
    theirs = ana.get(f"/api/v1/accounts/{other_user.pk}/statuses").json()
    assert len(theirs) == 2 and theirs[0]["account"]["statuses_count"] == 2


def test_the_following_list_is_chronological(ana, user, other_user):
    ana.post(f"/api/v1/accounts/{other_user.pk}/follow")
    stranger = UserFactory(username="zed")
    social.post_create(author=stranger, text="not followed")
    followed = [social.post_create(author=other_user, text=f"f{n}").pk for n in range(3)]
    assert ana.get("/api/v1/lists").json()[0]["id"] == "following"
    timeline = ana.get("/api/v1/timelines/list/following").json()
    assert [int(s["id"]) for s in timeline] == followed[::-1]
    assert ana.get("/api/v1/timelines/list/other").status_code == 404


def test_home_counts_what_it_returns_as_served_with_the_arm(ana, user, other_user):
    ana.post(f"/api/v1/accounts/{other_user.pk}/follow")
    post = social.post_create(author=other_user, text="hello")
    home = ana.get("/api/v1/timelines/home").json()
    assert str(post.pk) in [s["id"] for s in home]
    placed = home[0]["flywheel"]
    assert placed["reason"] and placed["arm"]
    event = Event.objects.get(user=user, kind=EventKind.IMPRESSION, post_id=post.pk)
    assert event.surface == "api" and event.arm == placed["arm"]


def test_rate_limit_headers_follow_the_api_throttle(ana, settings):
    first = ana.get("/api/v1/accounts/verify_credentials")
    second = ana.get("/api/v1/accounts/verify_credentials")
    assert first["X-RateLimit-Limit"] == "1200"
    assert int(second["X-RateLimit-Remaining"]) == int(first["X-RateLimit-Remaining"]) - 1
    assert re.match(r"\d{4}-\d\d-\d\dT", first["X-RateLimit-Reset"])


def test_cors_only_on_the_mastodon_paths(ana):
    origin = {"HTTP_ORIGIN": "https://app.example"}
    assert ana.get("/api/v1/instance", **origin)["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in ana.get("/api/me/", **origin)
    assert "Access-Control-Allow-Origin" not in APIClient().get("/oauth/authorize", **origin)


def test_credentials_update_and_lookup(ana, user):
    answer = ana.patch(
        "/api/v1/accounts/update_credentials", {"display_name": "Ana L", "note": "Jazz"}
    )
    assert answer.status_code == 200
    assert answer.json()["display_name"] == "Ana L" and answer.json()["source"]["note"] == "Jazz"
    found = APIClient().get("/api/v1/accounts/lookup", {"acct": "@ana"}).json()
    assert found["id"] == str(user.pk) and found["note"] == "<p>Jazz</p>"
    assert APIClient().get("/api/v1/accounts/lookup", {"acct": "nobody"}).status_code == 404


def test_relationships_followers_and_blocks(ana, user, other_user):
    ana.post(f"/api/v1/accounts/{other_user.pk}/follow")
    rel = ana.get("/api/v1/accounts/relationships", {"id[]": [other_user.pk]}).json()
    assert rel[0]["following"] is True and rel[0]["followed_by"] is False
    followers = ana.get(f"/api/v1/accounts/{other_user.pk}/followers").json()
    assert [a["username"] for a in followers] == ["ana"]
    following = ana.get(f"/api/v1/accounts/{user.pk}/following").json()
    assert [a["username"] for a in following] == ["ben"]
    blocked = ana.post(f"/api/v1/accounts/{other_user.pk}/block").json()
    assert blocked["blocking"] is True and blocked["following"] is False
    assert ana.post(f"/api/v1/accounts/{other_user.pk}/unblock").json()["blocking"] is False
    assert ana.post(f"/api/v1/accounts/{user.pk}/follow").status_code == 422  # yourself


def test_notifications_list_get_dismiss_clear(user, other_user, client_with_scope):
    ana = client_with_scope(user, "read write")
    post = social.post_create(author=user, text="mine")
    social.like_create(user=other_user, post=post)
    social.share_create(user=other_user, post=post)
    social.comment_create(author=other_user, post=post, text="nice")
    social.follow_create(follower=other_user, followee=user)
    notes = ana.get("/api/v1/notifications").json()
    assert [n["type"] for n in notes] == ["follow", "mention", "reblog", "favourite"]
    assert notes[1]["status"]["in_reply_to_id"] == str(post.pk)
    only = ana.get("/api/v1/notifications", {"types[]": ["favourite"]}).json()
    assert [n["type"] for n in only] == ["favourite"]
    one = ana.get(f"/api/v1/notifications/{notes[0]['id']}")
    assert one.json()["type"] == "follow"
    assert ana.post(f"/api/v1/notifications/{notes[0]['id']}/dismiss").status_code == 200
    assert ana.get(f"/api/v1/notifications/{notes[0]['id']}").status_code == 404
    theirs = client_with_scope(other_user, "read write")
    assert theirs.post(f"/api/v1/notifications/{notes[1]['id']}/dismiss").status_code == 404
    assert ana.post("/api/v1/notifications/clear").status_code == 200
    assert not Notification.objects.filter(recipient=user).exists()


def test_markers_keep_read_positions_with_versions(ana):
    saved = ana.post("/api/v1/markers", {"home[last_read_id]": "12"}).json()
    assert saved["home"]["last_read_id"] == "12" and saved["home"]["version"] == 1
    again = ana.post("/api/v1/markers", {"home": {"last_read_id": "15"}}, format="json").json()
    assert again["home"]["version"] == 2
    read = ana.get("/api/v1/markers", {"timeline[]": ["home", "notifications"]}).json()
    assert set(read) == {"home"} and read["home"]["last_read_id"] == "15"


def test_search_trends_and_suggestions(ana, user, other_user):
    post = social.post_create(author=other_user, text="Learning #python today")
    found = ana.get("/api/v2/search", {"q": "python"}).json()
    assert [s["id"] for s in found["statuses"]] == [str(post.pk)]
    assert [t["name"] for t in ana.get("/api/v2/search", {"q": "#pyth"}).json()["hashtags"]] == [
        "python"
    ]
    assert Event.objects.filter(kind=EventKind.SEARCH, surface="api", user=user).exists()
    assert ana.get("/api/v1/trends/tags").status_code == 200
    assert ana.get("/api/v1/trends/statuses").status_code == 200
    suggestions = ana.get("/api/v2/suggestions").json()
    assert all({"source", "sources", "account", "flywheel_reason"} <= set(s) for s in suggestions)


def test_favourited_by_and_reblogged_by(ana, user, other_user):
    post = social.post_create(author=other_user, text="hi")
    ana.post(f"/api/v1/statuses/{post.pk}/favourite")
    ana.post(f"/api/v1/statuses/{post.pk}/reblog")
    assert [a["username"] for a in ana.get(f"/api/v1/statuses/{post.pk}/favourited_by").json()] == [
        "ana"
    ]
    assert [a["username"] for a in ana.get(f"/api/v1/statuses/{post.pk}/reblogged_by").json()] == [
        "ana"
    ]
    undone = ana.post(f"/api/v1/statuses/{post.pk}/unfavourite").json()
    assert undone["favourited"] is False and undone["favourites_count"] == 0


def test_markers_refuse_a_body_that_is_not_an_object(ana):
    answer = ana.post("/api/v1/markers", 12, format="json")
    assert answer.status_code == 422 and "object" in answer.json()["error"]


@pytest.mark.parametrize("odd", ["99999999999999999999", "²", "-1", "c99999999999999999999"])
def test_ids_that_cannot_exist_are_not_found(ana, odd):
    for path in ("statuses", "accounts", "notifications", "media"):
        answer = ana.get(f"/api/v1/{path}/{odd}")
        assert answer.status_code == 404, path


@pytest.mark.parametrize("arm", ["chronological", "personalised"])
def test_home_pages_to_the_end_by_its_next_links_in_every_arm(ana, user, other_user, arm):
    FeedArm.objects.update(weight=0)
    FeedArm.objects.filter(name=arm).update(weight=1)
    ana.post(f"/api/v1/accounts/{other_user.pk}/follow")
    written = {str(social.post_create(author=other_user, text=f"n{n}").pk) for n in range(7)}
    seen, answer = [], ana.get("/api/v1/timelines/home", {"limit": 3})
    while answer.json():
        assert answer.json()[0]["flywheel"]["arm"] == arm
        seen += [status["id"] for status in answer.json()]
        if "next" not in links(answer):
            break
        answer = ana.get(links(answer)["next"])
    assert len(seen) == len(set(seen)) and written <= set(seen)


def test_a_ranked_home_cannot_be_cut_by_a_status_id(ana, user, other_user):
    FeedArm.objects.update(weight=0)
    FeedArm.objects.filter(name="personalised").update(weight=1)
    post = social.post_create(author=other_user, text="hello")
    assert ana.get("/api/v1/timelines/home", {"max_id": str(post.pk + 1)}).json() == []
