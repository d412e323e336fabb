"""Small things every page relies on: the icon browsers ask for, a readable page for an
action address opened by itself, and the login address `make run` prints."""

import subprocess
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

from social.models import Post
from tests.social.factories import PostFactory

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_logo(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/img/flywheel.svg"
    assert "<svg" in Path(finders.find("img/flywheel.svg")).read_text()


def test_opening_an_action_address_gets_a_page_that_says_what_to_do(client, user):
    post = PostFactory(author=user)
    client.force_login(user)
    response = client.get(f"/posts/{post.pk}/delete/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    page = response.content.decode()
    assert "That address is an action" in page
    assert "use the button" in page
    assert Post.objects.filter(pk=post.pk).exists()


def test_the_api_keeps_its_own_405(api_client):
    response = api_client.delete("/api/auth/signup/")
    assert response.status_code == 405
    assert "detail" in response.json()


def test_the_demo_admin_is_told_the_address_the_site_runs_at(settings, tmp_path, capsys):
    settings.VAR_DIR = tmp_path
    call_command("ensure_demo_admin", site_url="http://127.0.0.1:8100")
    assert "log in at http://127.0.0.1:8100/accounts/login/" in capsys.readouterr().out


def test_make_run_passes_its_port_to_the_demo_admin_message():
    dry_run = subprocess.run(
        ["make", "-n", "run", "PORT=8100"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    assert "ensure_demo_admin --site-url http://127.0.0.1:8100" in dry_run
    assert "8000" not in dry_run
