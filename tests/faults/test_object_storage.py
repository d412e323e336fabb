"""Model artifacts and media in S3-compatible storage (moto's standalone server, the real
protocol over HTTP): a version trained on one host is fetched once by another and
memory-mapped; an interrupted download is never used; uploads land in the bucket and are
served through the site's access-checked media view."""

import shutil
import time

import boto3
import numpy as np
import pytest
from rest_framework.test import APIClient

from feeds import retrieval
from feeds.artifacts import load_factor_model, save_factor_model
from social.models import Post
from tests.factories import UserFactory, sign_in_api
from tests.faults.services import CuttingProxy, S3Server
from tests.security.uploads import png_with_script

MODELS, MEDIA = "flywheel-models", "flywheel-media"


@pytest.fixture
def own_s3(tmp_path, settings, monkeypatch):
    server = S3Server(tmp_path / "moto.log").start()
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=server.url, region_name="us-east-1")
    for bucket in (MODELS, MEDIA):
        client.create_bucket(Bucket=bucket)
    server.client = client
    _use_endpoint(settings, server.url)
    yield server
    server.stop()


def _use_endpoint(settings, url: str) -> None:
    settings.MODEL_BUCKET, settings.MEDIA_BUCKET, settings.S3_ENDPOINT_URL = MODELS, MEDIA, url
    options = {"endpoint_url": url, "region_name": "us-east-1", "default_acl": None}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage",
                    "OPTIONS": {"bucket_name": MEDIA, "file_overwrite": False, **options}},
        "models": {"BACKEND": "storages.backends.s3.S3Storage",
                   "OPTIONS": {"bucket_name": MODELS, **options}},
    }  # fmt: skip


def _trained_on_the_worker_host(settings, tmp_path, people: int = 300):
    """A version saved by a worker on another host: its folder is then not on this one."""
    settings.MODEL_ROOT = tmp_path / "worker-host"
    rng = np.random.default_rng(7)
    arrays = {
        "user_factors": rng.random((people, 64), dtype=np.float32),
        "item_factors": rng.random((400, 64), dtype=np.float32),
        "user_ids": np.arange(1, people + 1),
        "post_ids": np.arange(1, 401),
    }
    path = save_factor_model(
        "feed_als", 7, meta={"params": {}},
        extras=lambda folder, ordered: retrieval.write_index(ordered["item_factors"], folder),
        **arrays,
    )  # fmt: skip
    shutil.rmtree(settings.MODEL_ROOT)
    settings.MODEL_ROOT = tmp_path / "web-host"
    return path, arrays


def _in_bucket(server) -> set[str]:
    listed = server.client.list_objects_v2(Bucket=MODELS).get("Contents", [])
    return {entry["Key"] for entry in listed}


def test_a_version_is_fetched_once_from_the_bucket_and_memory_mapped(own_s3, settings, tmp_path):
    path, arrays = _trained_on_the_worker_host(settings, tmp_path)
    assert {"feed_als/v7/meta.json", "feed_als/v7/item_factors.npy"} <= _in_bucket(own_s3)

    model = load_factor_model(path)
    assert isinstance(model.item_factors, np.memmap)  # mapped from this host's copy
    assert str(model.item_factors.filename).startswith(
        str(tmp_path / "web-host" / "feed_als" / "v7")
    )
    np.testing.assert_array_equal(model.user_factors, arrays["user_factors"])

    own_s3.stop()  # fetched once, index folder and all: the bucket is not asked again
    again = load_factor_model(path)
    np.testing.assert_array_equal(again.item_factors, arrays["item_factors"])
    assert retrieval.load_index(path) is not None


def test_an_interrupted_download_is_never_used(own_s3, settings, tmp_path):
    path, arrays = _trained_on_the_worker_host(settings, tmp_path, people=2000)  # 0.5 MB
    proxy = CuttingProxy(own_s3.port, limit=200_000)
    _use_endpoint(settings, proxy.url)
    try:
        with pytest.raises(Exception):  # noqa: B017 - botocore's, s3transfer's or ours
            load_factor_model(path)
    finally:
        proxy.close()
    assert proxy.cuts > 0
    host = tmp_path / "web-host" / "feed_als"
    assert not (host / "v7").exists()
    assert not list(host.glob("*download*"))  # no partial file left to be picked up later

    _use_endpoint(settings, own_s3.url)  # the connection is good again: the next load works
    model = load_factor_model(path)
    np.testing.assert_array_equal(model.user_factors, arrays["user_factors"])


@pytest.mark.django_db
def test_uploads_go_to_the_bucket_and_are_served_by_the_site(own_s3, client):
    author = UserFactory()
    api = sign_in_api(APIClient(), author)
    image = png_with_script()
    posted = api.post(
        "/api/posts/",
        {"text": "a picture", "image": _upload("photo.png", image)},
        format="multipart",
    )
    assert posted.status_code == 201, posted.content
    name = Post.objects.get().image.name
    stored = own_s3.client.get_object(Bucket=MEDIA, Key=name)["Body"].read()
    assert stored == image
    client.force_login(author)
    served = client.get(f"/media/{name}")
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == image


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="image/png")


def test_fresh_post_vectors_travel_through_the_bucket_to_other_hosts(own_s3, settings, tmp_path):
    from feeds.artifacts import fresh_items_stamp, load_fresh_items, save_fresh_items

    path, _ = _trained_on_the_worker_host(settings, tmp_path)
    assert fresh_items_stamp(path) is None and load_fresh_items(path) is None

    settings.MODEL_ROOT = tmp_path / "fold-in-host"  # the task runs on a third host
    save_fresh_items(path, [402, 401], np.ones((2, 64)), max_event_id=50)
    assert "feed_als/v7/fresh.npz" in _in_bucket(own_s3)
    first = fresh_items_stamp(path)

    settings.MODEL_ROOT = tmp_path / "web-host"
    fresh = load_fresh_items(path)
    assert fresh.post_ids.tolist() == [401, 402] and fresh.max_event_id == 50

    time.sleep(1.1)  # S3 keeps modification times to the second; the task runs every 30 s
    settings.MODEL_ROOT = tmp_path / "fold-in-host"
    save_fresh_items(path, [403], np.ones((1, 64)), max_event_id=60)
    settings.MODEL_ROOT = tmp_path / "web-host"
    assert fresh_items_stamp(path) != first  # one HEAD request tells the web host
    assert load_fresh_items(path).post_ids.tolist() == [403]
