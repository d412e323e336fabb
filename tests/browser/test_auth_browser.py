"""Sign up, log in, log out and edit a profile the way a person does it: in the browser."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from accounts.models import LoginFailure, User

pytestmark = pytest.mark.browser


def test_sign_up_lands_on_a_warm_home_logged_in(page, base_url):
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    expect(page).to_have_url(f"{base_url}/accounts/signup/")
    expect(page.get_by_role("heading", name="Join Flywheel")).to_be_visible()

    page.get_by_label("Username", exact=True).fill("new_person")
    page.get_by_label("Email (optional)").fill("new@example.com")
    page.get_by_label("Password", exact=True).fill("a long and unusual phrase")
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(f"{base_url}/")
    expect(page.get_by_role("status")).to_contain_text("Welcome to Flywheel, @new_person!")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("@new_person")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    person = User.objects.get(username="new_person")
    assert person.email == "new@example.com"
    assert person.check_password("a long and unusual phrase")


@pytest.mark.parametrize(
    ("password", "error"),
    [
        ("short", "Ensure this value has at least 8 characters (it has 5)."),
        ("password123", "This password is too common."),
    ],
)
def test_sign_up_with_a_weak_password_shows_why(page, base_url, password, error):
    page.goto("/accounts/signup/")
    page.get_by_label("Username", exact=True).fill("weakling")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(f"{base_url}/accounts/signup/")
    expect(page.get_by_text(error)).to_be_visible()
    # The username survives the round trip; the password is never echoed back.
    expect(page.get_by_label("Username", exact=True)).to_have_value("weakling")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("aria-invalid", "true")
    assert not User.objects.filter(username="weakling").exists()


def test_log_in_and_log_out(page, base_url, user, password):
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in").click()
    page.get_by_label("Username", exact=True).fill("ana")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{base_url}/")
    expect(page.get_by_role("region", name="Your timeline")).to_be_visible()
    expect(page.get_by_role("link", name="@ana", exact=True)).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{base_url}/accounts/login/")
    expect(page.get_by_role("status")).to_contain_text("You are logged out.")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    expect(page.get_by_role("link", name="Sign up")).to_be_visible()


def test_logging_in_returns_to_the_page_that_asked_for_it(page, base_url, user, password):
    page.goto("/accounts/settings/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/accounts/settings/$"))

    page.get_by_label("Username", exact=True).fill("ana")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{base_url}/accounts/settings/")
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()


def test_a_wrong_password_shows_an_error_and_logs_nobody_in(page, base_url, user):
    page.goto("/accounts/login/")
    page.get_by_label("Username", exact=True).fill("ana")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{base_url}/accounts/login/")
    expect(page.get_by_role("alert")).to_have_text(
        "That username and password do not match. Check them and try again."
    )
    expect(page.get_by_label("Username", exact=True)).to_have_value("ana")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    assert LoginFailure.objects.filter(username="ana").count() == 1


def test_edit_profile_with_an_avatar(page, log_in, user, tmp_path):
    picture = tmp_path / "me.png"
    Image.new("RGB", (64, 64), (220, 80, 40)).save(picture)
    log_in(user)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="@ana").click()
    expect(page.get_by_role("heading", name="Edit profile")).to_be_visible()
    preview = page.get_by_role("complementary", name="Your profile as others see it")
    expect(preview).to_contain_text("Ana Lima")
    page.get_by_label("Display name", exact=True).fill("Ana Lima Souza")
    page.get_by_label("Bio", exact=True).fill("Jazz on Sundays, bread on Mondays.")
    page.get_by_role("textbox", name="Interests").fill("Jazz, #cooking hiking jazz")
    page.get_by_label("Avatar", exact=True).set_input_files(picture)
    page.get_by_role("button", name="Save profile").click()

    expect(page.get_by_role("status")).to_contain_text("Your profile is saved.")
    expect(preview).to_contain_text("Ana Lima Souza")
    expect(preview).to_contain_text("Jazz on Sundays, bread on Mondays.")
    expect(preview.get_by_role("listitem")).to_have_text(["#jazz", "#cooking", "#hiking"])
    expect(page.get_by_label("Bio", exact=True)).to_have_value("Jazz on Sundays, bread on Mondays.")
    expect(page.get_by_role("textbox", name="Interests")).to_have_value("jazz cooking hiking")

    avatar = preview.get_by_role("img", name="Your profile picture")
    expect(avatar).to_be_visible()
    # The picture really loads: decode() rejects for a broken image.
    assert avatar.evaluate("img => img.decode().then(() => img.naturalWidth)") == 64
    expect(page.locator(".topbar img.avatar")).to_be_visible()

    user.refresh_from_db()
    assert user.display_name == "Ana Lima Souza"
    assert user.bio == "Jazz on Sundays, bread on Mondays."
    assert user.interests == ["jazz", "cooking", "hiking"]
    assert user.avatar.name.startswith("avatars/")  # under a name the server chose
    assert user.avatar.width == 64
