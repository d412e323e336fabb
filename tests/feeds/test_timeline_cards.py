"""The timeline API's fast path: plain dicts and cached texts instead of DRF serializers, yet
the same items the serializer gives, exactly what `/api/schema/` describes, a cached text that
never outlives an edit, and the same feed as the exact (index-free) ranking."""

from datetime import timedelta

import jsonschema
import numpy as np
import pytest
from django.test import RequestFactory
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from feeds import candidates, retrieval, serving
from feeds.experiments import assign
from feeds.home_ranking import rank_home
from feeds.models import FeedArm
from social import moderation, selectors, services
from social.api import with_cards
from social.serializers import TimelinePostSerializer
from tests.feeds.home_helpers import install_model, person, put_everyone_in, write
from tests.social.helpers import add_member, group_of, image_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("served_models")]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def ana(db):
    put_everyone_in(FeedArm.Strategy.PERSONALISED)
    ana = person("ana", display_name="Ana A.")
    ben, carla = person("ben"), person("carla")
    services.follow_create(follower=ana, followee=ben)
    services.follow_create(follower=ana, followee=carla)
    club = group_of(ben, "Book club")
    add_member(club, ana)
    write(ben, "hello @ana and @nobody #books https://example.org")
    write(ben, "in the club", group=club)
    pic = services.post_create(author=carla, text="a picture", image=image_upload())
    services.like_create(user=ana, post=pic)
    shared = write(person("dora"), "worth a read")
    services.share_create(user=carla, post=shared, comment="look")
    services.share_create(user=ana, post=shared)
    edited = write(ana, "first words", age=timedelta(minutes=1))
    services.post_update(user=ana, post=edited, text="second words @ben")
    return ana


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_items_are_what_the_serializer_gives(ana):
    body = client_of(ana).get("/api/timeline/home/", {"page_size": 50}).json()
    assert len(body["results"]) >= 5
    request = RequestFactory().get("/api/timeline/home/")
    request.user = ana
    posts = {post.pk: post for post in with_cards(selectors.visible_posts(ana))}
    for item in body["results"]:
        post = posts[item["id"]]
        post.feed_reason, post.feed_arm = item["reason"], item["arm"]
        post.feed_model_version = item["model_version"]
        post.feed_serve = item["serve"]
        shared = item["shared_by"]
        post.shared_by_username = shared["username"] if shared else None
        post.shared_comment = shared["comment"] if shared else ""
        post.shared_at = post.created_at if shared else None
        post.activity_at = post.created_at
        expected = TimelinePostSerializer(post, context={"request": request}).data
        if shared:  # the share's time comes from the snapshot, not the post
            expected["shared_by"]["shared_at"] = shared["shared_at"]
            expected["activity_at"] = item["activity_at"]
        assert item == dict(expected)


def _nullable_to_jsonschema(node):
    """OpenAPI 3.0's `nullable` as JSON Schema, and objects closed to unknown keys."""
    if isinstance(node, list):
        return [_nullable_to_jsonschema(x) for x in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable_to_jsonschema(value) for key, value in node.items()}
    if node.get("type") == "object" and "properties" in node:
        node.setdefault("additionalProperties", False)
        node["required"] = sorted(node["properties"])  # every described field is sent
    if node.pop("nullable", False):
        node = {"anyOf": [node, {"type": "null"}]}
    return node


def test_a_real_response_is_exactly_what_the_schema_describes(ana):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/timeline/home/"]["get"]
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]
    components = _nullable_to_jsonschema(schema["components"])
    validator = jsonschema.Draft7Validator(
        {**_nullable_to_jsonschema(page), "components": components}
    )
    body = client_of(ana).get("/api/timeline/home/", {"page_size": 3}).json()
    assert body["results"] and body["next"]
    validator.validate(body)
    body["results"][0]["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(body)


def test_a_cached_text_never_outlives_an_edit_or_a_hiding(ana):
    api = client_of(ana)
    mine = write(ana, "before #old")
    assert "#old" in str(api.get("/api/timeline/home/", {"page_size": 50}).json())
    services.post_update(user=ana, post=mine, text="after #new")
    items = {
        i["id"]: i for i in api.get("/api/timeline/home/", {"page_size": 50}).json()["results"]
    }
    assert "/tags/new/" in items[mine.pk]["html"] and items[mine.pk]["text"] == "after #new"
    staff = person("mod", is_staff=True)
    moderation.post_hide(staff=staff, post=mine)
    items = api.get("/api/timeline/home/", {"page_size": 50}).json()["results"]
    assert mine.pk not in {item["id"] for item in items}


def test_the_index_gives_the_feed_the_exact_scan_gives(db, monkeypatch):
    """Same person, model and data: the first 20 posts through the index are the first 20
    through an exact scan of every item. Tolerance: none here; on the bench world the index
    finds 0.999 of the exact top 200 (docs/benchmarks.md), so a post of the exact top 200 is
    missing from a person's model candidates about once in five people."""
    put_everyone_in(FeedArm.Strategy.PERSONALISED)
    monkeypatch.setattr(retrieval, "MIN_HEAD", 4)  # most items in the IVF ranges, not the head
    monkeypatch.setattr(retrieval, "HEAD_SHARE", 0.05)
    clusters = [[write(person(), f"topic {c} post {n} #t{c}") for n in range(12)] for c in range(8)]
    viewers = [person(f"viewer{c}") for c in range(8)]
    for c, viewer in enumerate(viewers):
        services.like_create(user=viewer, post=clusters[c][0])
    install_model(clusters, factors=8)
    served = serving.current_model()
    assert served.index is not None and served.index.ranges
    by_index = serving.score_posts

    def by_scan(*args, **kwargs):
        return by_index(*args, **{**kwargs, "exact": True})

    for viewer in viewers:
        through_index = [item.id for item in rank_home(viewer, assign(viewer)).items[:20]]
        monkeypatch.setattr(serving, "score_posts", by_scan)
        history = serving.histories([viewer.pk], served.weights)[viewer.pk]
        record = candidates.compute(served, history)
        candidates.store([record], [viewer.pk])
        through_scan = [item.id for item in rank_home(viewer, assign(viewer)).items[:20]]
        monkeypatch.setattr(serving, "score_posts", by_index)
        assert through_index == through_scan
        assert np.isfinite([score for _, score in record.pairs]).all()
