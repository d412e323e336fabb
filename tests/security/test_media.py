"""Findings 1 and 6: uploads kept their uploader's file name and were served by extension
(a PNG named avatar.html came back as text/html and its script ran for whoever opened it);
media had no access control, outlived its post and had guessable names."""

import re

import pytest
import requests
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from flywheel.images import STORED_NAME, rename_legacy_uploads
from social import services
from social.models import Group, Membership, Post
from tests.factories import DEFAULT_PASSWORD, UserFactory, api_token
from tests.security.uploads import HTML, SVG, gif_with_script, png_with_script

pytestmark = pytest.mark.django_db(transaction=True)


def _upload_post(base_url, token, name, content, content_type="image/png", **fields):
    return requests.post(
        f"{base_url}/api/posts/",
        data={"text": "look at this", **fields},
        files={"image": (name, content, content_type)},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


@pytest.mark.parametrize(
    "name, content, extension",
    [
        ("avatar.html", png_with_script(), "png"),
        ("photo.php.png", png_with_script(), "png"),
        ("picture.svg", gif_with_script(), "gif"),
        ("no-extension", png_with_script(), "png"),
    ],
)
def test_uploads_get_a_server_chosen_name_and_a_safe_type(
    live_server, user, name, content, extension
):
    answer = _upload_post(live_server.url, api_token(user), name, content, "text/html")
    assert answer.status_code == 201, answer.text
    stored = Post.objects.get().image.name
    assert STORED_NAME.fullmatch(stored) and stored.startswith("posts/")
    assert stored.endswith(f".{extension}")
    assert name.split(".")[0] not in stored  # nothing of the uploader's name survives
    served = requests.get(answer.json()["image_url"], timeout=30)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == f"image/{extension}"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith('inline; filename="image.')
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert served.content == content


@pytest.mark.parametrize("name, content", [("evil.svg", SVG), ("page.png", HTML)])
def test_files_that_are_not_images_are_refused(live_server, user, name, content):
    answer = _upload_post(live_server.url, api_token(user), name, content)
    assert answer.status_code == 400
    assert "not an image we can read" in answer.text
    assert not Post.objects.exists()


def test_names_the_server_did_not_choose_are_never_served(live_server, user):
    default_storage.save("posts/7/avatar.html", SimpleUploadedFile("x", png_with_script()))
    Post.objects.create(author=user, text="old", image="posts/7/avatar.html")
    for path in ("posts/7/avatar.html", "posts/../posts/7/avatar.html", "../settings.py"):
        assert requests.get(f"{live_server.url}/media/{path}", timeout=30).status_code == 404


def test_legacy_unsafe_names_are_renamed_by_the_data_migration(user):
    old = default_storage.save("posts/7/avatar.html", SimpleUploadedFile("x", png_with_script()))
    post = Post.objects.create(author=user, text="old", image=old)
    assert rename_legacy_uploads(Post, "image", "posts") == 1
    post.refresh_from_db()
    assert STORED_NAME.fullmatch(post.image.name) and post.image.name.endswith(".png")
    assert default_storage.open(post.image.name).read() == png_with_script()
    assert not default_storage.exists(old)  # deleted once the migration committed
    assert rename_legacy_uploads(Post, "image", "posts") == 0  # safe to run again


def _private_group_post(author, member):
    group = services.group_create(owner=author, name="Inner circle", privacy="private")
    Membership.objects.create(group=group, user=member, state=Membership.State.ACTIVE)
    Group.objects.filter(pk=group.pk).update(member_count=2)
    image = SimpleUploadedFile("p.png", png_with_script(), content_type="image/png")
    return services.post_create(author=author, text="members only", image=image, group=group)


def _get(base_url, path, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{base_url}/media/{path}", headers=headers, timeout=30)


def test_private_media_only_reaches_people_who_may_see_the_post(live_server, user, other_user):
    outsider = UserFactory(username="outsider")
    post = _private_group_post(user, other_user)
    name = post.image.name
    assert _get(live_server.url, name).status_code == 404  # anonymous
    assert _get(live_server.url, name, api_token(outsider)).status_code == 404
    assert _get(live_server.url, name, api_token(other_user)).status_code == 200
    assert _get(live_server.url, name, api_token(user)).status_code == 200
    services.post_hide(staff=UserFactory(is_staff=True), post=post)  # hidden: gone for all
    assert _get(live_server.url, name, api_token(other_user)).status_code == 404


def test_media_goes_with_its_post_and_its_person(live_server, user):
    token = api_token(user)
    first = _upload_post(live_server.url, token, "a.png", png_with_script()).json()
    second = _upload_post(live_server.url, token, "b.png", png_with_script()).json()
    names = list(Post.objects.order_by("id").values_list("image", flat=True))
    deleted = requests.delete(
        f"{live_server.url}/api/posts/{first['id']}/",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert deleted.status_code in (200, 204)
    assert not default_storage.exists(names[0])
    assert requests.get(first["image_url"], timeout=30).status_code == 404
    assert default_storage.exists(names[1])
    deleted = requests.delete(
        f"{live_server.url}/api/me/",
        json={"password": DEFAULT_PASSWORD},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert deleted.status_code == 204
    assert not default_storage.exists(names[1])
    assert requests.get(second["image_url"], timeout=30).status_code == 404


def test_names_are_not_guessable(live_server, user):
    token = api_token(user)
    names = {
        _upload_post(live_server.url, token, "same.png", png_with_script()).json()["image_url"]
        for _ in range(3)
    }
    assert len(names) == 3
    for url in names:
        random_part = re.search(r"/posts/([A-Za-z0-9_-]+)\.png$", url).group(1)
        assert len(random_part) >= 24  # 144 random bits
        assert str(user.pk) not in url.split("/media/")[1].split("/")[0]


def test_an_ad_image_is_replaced_and_shown_only_once_approved(live_server, staff_user):
    from ads import services as ads_services
    from ads.models import Creative
    from tests.factories import CampaignFactory

    campaign = CampaignFactory(state="review", creative=False)
    creative = Creative.objects.create(
        campaign=campaign, headline="Deal", text="Cheap", link="https://example.com/"
    )
    owner_token = api_token(campaign.advertiser.user)

    def upload(name):
        answer = requests.patch(
            f"{live_server.url}/api/ads/creatives/{creative.pk}/",
            files={"image": (name, png_with_script(), "image/png")},
            headers={"Authorization": f"Bearer {owner_token}"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        creative.refresh_from_db()
        return creative.image.name

    first = upload("one.png")
    second = upload("two.png")
    assert not default_storage.exists(first) and default_storage.exists(second)
    assert _get(live_server.url, second).status_code == 404  # in review: not for everyone
    assert _get(live_server.url, second, owner_token).status_code == 200
    ads_services.creative_review(creative=creative, reviewer=staff_user, approve=True)
    assert _get(live_server.url, second).status_code == 200
