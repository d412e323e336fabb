"""The settings page says what For you uses for this person, and the switch changes it."""

import pytest

from feeds.models import FeedArm
from social import services
from tests.feeds.home_helpers import person, put_everyone_in, write

pytestmark = pytest.mark.django_db
Strategy = FeedArm.Strategy


def settings_page(client, user) -> str:
    client.force_login(user)
    response = client.get("/accounts/settings/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_comparison_group_is_told_what_the_switch_changes(client):
    put_everyone_in(Strategy.CHRONOLOGICAL)
    newcomer = person(interests=["jazz"])
    page = settings_page(client, newcomer)
    assert "comparison group" in page
    assert "posts about your interests (#jazz)" in page
    assert "Turning personalisation off stops using your interests" in page

    friends = [person() for _ in range(5)]
    for friend in friends:
        services.follow_create(follower=newcomer, followee=friend)
    page = settings_page(client, newcomer)
    assert "changes nothing you would see today" in page


def test_a_ranked_arm_says_what_the_model_knows(client):
    put_everyone_in(Strategy.DIVERSE)
    reader = person(interests=["jazz"])
    page = settings_page(client, reader)
    assert "ranked for you by the feed model" in page
    assert "mixes in topics you see less of" in page
    assert "It does not know you yet" in page
    services.like_create(user=reader, post=write(person(), "a tune #jazz"))
    assert "learned from 1 of your likes" in settings_page(client, reader)


def test_switching_personalisation_off_is_shown_at_once(client):
    put_everyone_in(Strategy.PERSONALISED)
    reader = person(interests=["jazz"])
    client.force_login(reader)
    response = client.post(
        "/accounts/settings/", {"personalised_ads": "on"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Personalisation is off" in page and "not personalised" in page
    reader.refresh_from_db()
    assert reader.personalised_feed is False
