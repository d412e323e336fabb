"""Finding 1, as the victim sees it: an attacker uploads a valid PNG whose text chunk holds a
script, named avatar.html, to a post (or to an ad, which staff preview in the admin). A
signed-in person who opens it in Chromium must see a picture, and no script may run."""

import pytest
import requests
from playwright.sync_api import expect

from ads.models import Creative
from social.models import Follow
from tests.factories import CampaignFactory, UserFactory, api_token
from tests.security.uploads import png_with_script

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _script_ran(page) -> bool:
    return page.evaluate("() => window.xssRan === true || document.title === 'xss-ran'")


def test_an_uploaded_polyglot_opens_as_a_picture_not_a_page(
    live_server, page, sign_in, base_url, user, other_user
):
    attacker = UserFactory(username="attacker")
    answer = requests.post(
        f"{base_url}/api/posts/",
        data={"text": "my new avatar"},
        files={"image": ("avatar.html", png_with_script(), "text/html")},
        headers={"Authorization": f"Bearer {api_token(attacker)}"},
        timeout=30,
    )
    assert answer.status_code == 201
    image_url = answer.json()["image_url"]
    assert image_url.endswith(".png")

    sign_in(other_user)  # the victim, signed in, opens the attacker's post and its picture
    page.goto(f"/posts/{answer.json()['id']}/")
    with page.expect_navigation():
        page.locator("a.post__image").click()
    assert page.url == image_url
    expect(page.locator("img")).to_have_count(1)  # Chromium's image viewer, not a page
    assert not _script_ran(page)
    assert not Follow.objects.filter(followee=attacker).exists()


def test_the_admin_preview_of_a_hostile_ad_image_is_a_picture(
    live_server, page, sign_in, base_url, staff_user
):
    campaign = CampaignFactory(state="review", creative=False)
    creative = Creative.objects.create(
        campaign=campaign, headline="Deal", text="Cheap", link="https://example.com/"
    )
    owner = campaign.advertiser.user
    answer = requests.patch(
        f"{base_url}/api/ads/creatives/{creative.pk}/",
        files={"image": ("preview.html", png_with_script(), "text/html")},
        headers={"Authorization": f"Bearer {api_token(owner)}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    creative.refresh_from_db()
    assert creative.image.name.endswith(".png")

    sign_in(staff_user)
    page.goto(f"/admin/ads/creative/{creative.pk}/change/")
    preview = page.locator("img[src*='/media/ads/']")
    expect(preview).to_be_visible()
    src = preview.first.evaluate("image => image.src")  # absolute
    page.goto(src)
    expect(page.locator("img")).to_have_count(1)
    assert not _script_ran(page)
    # Before review, nobody else may fetch it: the site hosts no unreviewed upload.
    anonymous = requests.get(src, timeout=30)
    assert anonymous.status_code == 404
