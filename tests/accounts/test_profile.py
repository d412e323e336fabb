import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

pytestmark = pytest.mark.django_db


def png_bytes(size=(32, 32), color=(200, 30, 90)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def profile_data(**overrides):
    data = {
        "display_name": "Ana L.",
        "bio": "Jazz and bread.",
        "email": "ana@example.com",
        "age_bracket": "25-34",
        "region": "eu",
        "interests": "Jazz, #baking  jazz",
    }
    data.update(overrides)
    return data


def test_edit_profile_with_avatar_and_interests(client, user):
    client.force_login(user)
    avatar = SimpleUploadedFile("me.png", png_bytes(), content_type="image/png")
    response = client.post(reverse("accounts:profile_edit"), profile_data(avatar=avatar))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.display_name == "Ana L."
    assert user.interests == ["jazz", "baking"]
    assert (user.age_bracket, user.region) == ("25-34", "eu")
    assert user.avatar.name.endswith(".png")
    page = client.get(reverse("accounts:profile_edit")).content.decode()
    assert user.avatar.url in page


def test_fake_image_is_refused_with_a_readable_error(client, user):
    client.force_login(user)
    fake = SimpleUploadedFile("me.png", b"<?php echo 'hi'; ?>", content_type="image/png")
    response = client.post(reverse("accounts:profile_edit"), profile_data(avatar=fake))
    assert response.status_code == 400
    assert (
        "Upload a valid image" in response.content.decode()
        or "not an image" in response.content.decode()
    )
    user.refresh_from_db()
    assert not user.avatar


def test_oversized_image_is_refused(client, user, settings):
    settings.MAX_IMAGE_BYTES = 1000
    client.force_login(user)
    big = SimpleUploadedFile(
        "big.png", png_bytes((400, 400), (1, 2, 3)) + b"\0" * 2000, content_type="image/png"
    )
    response = client.post(reverse("accounts:profile_edit"), profile_data(avatar=big))
    assert response.status_code == 400
    assert "the limit is" in response.content.decode()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("bio", "x" * 301, "at most 300"),
        ("display_name", "x" * 61, "at most 60"),
        ("age_bracket", "99-100", "not one of the available choices"),
        ("interests", "ok <script>", "not a valid interest"),
    ],
)
def test_profile_rejects_bad_input(client, user, field, value, message):
    client.force_login(user)
    response = client.post(reverse("accounts:profile_edit"), profile_data(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_privacy_switches_from_the_settings_page_and_with_htmx(client, user):
    client.force_login(user)
    response = client.post(reverse("accounts:settings"), {"personalised_ads": "on"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.personalised_feed, user.personalised_ads) == (False, True)
    fragment = client.post(
        reverse("accounts:settings"), {"personalised_feed": "on"}, HTTP_HX_REQUEST="true"
    )
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content
    assert b"Saved." in fragment.content
    user.refresh_from_db()
    assert (user.personalised_feed, user.personalised_ads) == (True, False)


def test_generated_avatar_shows_initials(client, user):
    client.force_login(user)
    page = client.get(reverse("accounts:profile_edit")).content.decode()
    assert "avatar--generated" in page
    assert ">AL<" in page
