"""Action rate limits: over the limit a person gets a plain message and a Retry-After, and the
count lives in the shared cache, so every web process sees the same count."""

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIRequestFactory

from flywheel import api, ratelimit
from flywheel.ratelimit import Limit, RateLimited, check_and_count, parse_limit
from social import services
from social.models import Comment, Follow, Post, Report
from tests.social.helpers import (
    fast_password_hashing,  # noqa: F401
    person,
    post_by,
)

ROOT = Path(django_settings.BASE_DIR)


@pytest.fixture
def limits(settings):
    """Small limits for every action: two an hour."""
    settings.ACTION_RATE_LIMITS = {
        scope: "2/h" for scope in ("post", "follow", "report", "comment")
    }
    return settings.ACTION_RATE_LIMITS


@pytest.fixture
def frozen_time(monkeypatch):
    """The clock at 10 minutes into an hour window (and into a day window)."""
    now = {"t": 1_700_006_400 + 600}  # a multiple of 86400, plus 10 minutes
    monkeypatch.setattr(ratelimit.time, "time", lambda: now["t"])
    return now


# --- parsing and wording ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text, limit",
    [
        ("300/3h", Limit(300, 3 * 3600)),
        ("400/day", Limit(400, 86400)),
        ("20/min", Limit(20, 60)),
        ("5/10s", Limit(5, 10)),
        ("40/2day", Limit(40, 2 * 86400)),
    ],
)
def test_limits_are_written_as_count_per_period(text, limit):
    assert parse_limit(text) == limit


def test_the_default_limits_are_mastodons():
    assert parse_limit(django_settings.ACTION_RATE_LIMITS["post"]) == Limit(300, 3 * 3600)
    assert parse_limit(django_settings.ACTION_RATE_LIMITS["follow"]) == Limit(400, 86400)


# --- the limit itself ------------------------------------------------------------------


def test_the_next_action_over_the_limit_is_refused_with_a_plain_message(limits, frozen_time):
    check_and_count("post", 1, action="posts")
    check_and_count("post", 1, action="posts")
    with pytest.raises(RateLimited) as error:
        check_and_count("post", 1, action="posts")
    assert str(error.value) == (
        "You have reached the limit of 2 posts in an hour. Try again in 50 minutes."
    )
    assert error.value.retry_after == 50 * 60


def test_each_person_and_each_action_has_its_own_count(limits, frozen_time):
    for _ in range(2):
        check_and_count("post", 1, action="posts")
    check_and_count("post", 2, action="posts")
    check_and_count("follow", 1, action="follows")


def test_the_limit_lifts_when_the_window_ends(limits, frozen_time):
    for _ in range(2):
        check_and_count("post", 1, action="posts")
    with pytest.raises(RateLimited):
        check_and_count("post", 1, action="posts")
    frozen_time["t"] += 50 * 60
    check_and_count("post", 1, action="posts")


def test_retry_after_counts_down_to_the_end_of_the_window(settings, frozen_time):
    settings.ACTION_RATE_LIMITS = {"follow": "1/day"}
    check_and_count("follow", 1, action="follows")
    frozen_time["t"] += 3600
    with pytest.raises(RateLimited) as error:
        check_and_count("follow", 1, action="follows")
    assert error.value.retry_after == 86400 - 600 - 3600
    assert str(error.value).endswith("in a day. Try again in 23 hours.")


def test_concurrent_actions_never_slip_past_the_limit(settings):
    """The cache's atomic increment decides: of 20 simultaneous tries, exactly 5 pass."""
    settings.ACTION_RATE_LIMITS = {"post": "5/day"}
    barrier, allowed, refused = threading.Barrier(20), [], []

    def attempt():
        barrier.wait()
        try:
            check_and_count("post", 77, action="posts")
            allowed.append(1)
        except RateLimited:
            refused.append(1)

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (len(allowed), len(refused)) == (5, 15)


COUNT_IN_ANOTHER_PROCESS = textwrap.dedent(
    """
    import json, time
    import django
    django.setup()
    from flywheel.ratelimit import check_and_count
    now = int(time.time())
    for _ in range(3):
        check_and_count("post", 4242, action="posts")
    print(json.dumps({"now": now}))
    """
)


def test_the_count_is_shared_between_processes(settings, monkeypatch):
    """Another web process spends three of the four posts; this one gets one more."""
    settings.ACTION_RATE_LIMITS = {"post": "4/day"}
    env = dict(os.environ, RATE_LIMIT_POSTS="4/day", DJANGO_SETTINGS_MODULE="flywheel.settings")
    done = subprocess.run(
        [sys.executable, "-c", COUNT_IN_ANOTHER_PROCESS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    then = json.loads(done.stdout.strip().splitlines()[-1])["now"]
    monkeypatch.setattr(ratelimit.time, "time", lambda: then)  # the same day window
    check_and_count("post", 4242, action="posts")
    with pytest.raises(RateLimited):
        check_and_count("post", 4242, action="posts")


# --- the services that are limited ----------------------------------------------------


@pytest.mark.django_db
def test_posting_over_the_limit_is_refused_and_nothing_is_posted(limits, user):
    post_by(user), post_by(user)
    with pytest.raises(RateLimited) as error:
        services.post_create(author=user, text="one too many")
    assert "2 posts" in str(error.value) and error.value.retry_after > 0
    assert Post.objects.count() == 2


@pytest.mark.django_db
def test_a_refused_post_does_not_use_up_the_budget(limits, user):
    with pytest.raises(Exception):  # noqa: B017 - the validation error itself is tested elsewhere
        services.post_create(author=user, text="x" * 501)
    post_by(user), post_by(user)
    assert Post.objects.count() == 2


@pytest.mark.django_db
def test_following_over_the_limit_is_refused(limits, user):
    for _ in range(2):
        services.follow_create(follower=user, followee=person())
    with pytest.raises(RateLimited) as error:
        services.follow_create(follower=user, followee=person())
    assert "2 follows" in str(error.value)
    assert Follow.objects.count() == 2


@pytest.mark.django_db
def test_following_someone_already_followed_costs_nothing(limits, user, other_user):
    for _ in range(5):
        services.follow_create(follower=user, followee=other_user)
    services.follow_create(follower=user, followee=person())


@pytest.mark.django_db
def test_commenting_over_the_limit_is_refused(limits, user, other_user):
    post = post_by(other_user)
    for _ in range(2):
        services.comment_create(author=user, post=post, text="me too")
    with pytest.raises(RateLimited) as error:
        services.comment_create(author=user, post=post, text="me three")
    assert "2 comments" in str(error.value)
    assert Comment.objects.count() == 2
    assert Post.objects.get(pk=post.pk).comment_count == 2


@pytest.mark.django_db
def test_reporting_over_the_limit_is_refused(limits, user):
    for _ in range(2):
        services.report_create(reporter=user, reason="spam", person=person())
    with pytest.raises(RateLimited) as error:
        services.report_create(reporter=user, reason="spam", person=person())
    assert "2 reports" in str(error.value)
    assert Report.objects.count() == 2


# --- how the API answers ---------------------------------------------------------------


def test_the_api_answers_429_with_retry_after_and_the_message():
    request = APIRequestFactory().post("/api/posts/")
    error = RateLimited("You have reached the limit of 2 posts in an hour.", retry_after=120)
    response = api.exception_handler(error, {"request": request, "view": None})
    assert response.status_code == 429
    assert response["Retry-After"] == "120"
    assert response.data["detail"].startswith("You have reached the limit of 2 posts in an hour.")
    assert response.data["retry_after"] == 120


def test_the_suite_counts_in_a_shared_cache():
    """Rate limits are per site, not per process: the cache must not be process-local."""
    backend = django_settings.CACHES["default"]["BACKEND"]
    assert "locmem" not in backend.lower() and "dummy" not in backend.lower()
