"""Arms plugged in from outside feeds (feeds.arms): members are taken out before the weighted
draw, after the person's own switch, and their feed comes from the arm's ranker; without the
arm, the same people are assigned by the experiment's rules."""

import pytest
from rest_framework.test import APIClient

from feeds import arms
from feeds.candidate_pool import FIELDS
from feeds.experiments import OPTED_OUT_ARM, assign
from feeds.models import FeedArm
from feeds.ranking import Candidate, RankedFeed
from social import selectors
from tests.factories import sign_in_api
from tests.feeds.home_helpers import person, put_everyone_in, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def plugged():
    """A test arm whose members are people named "plug*", ranked oldest post first."""
    calls = []

    def ranker(viewer, *, now=None, visible=None):
        calls.append(viewer.pk)
        visible = selectors.visible_posts(viewer) if visible is None else visible
        rows = visible.order_by("id").values(*FIELDS)
        items = [
            Candidate.from_row(row, score=1.0, source="plug", reason="plugged in") for row in rows
        ]
        return RankedFeed(items=items, model_version=None, cold_start=False)

    arms.register_arm("plug", ranker=ranker, members=lambda user: user.username[:4] == "plug")
    yield calls
    arms.unregister_arm("plug")


def test_a_plugged_arm_takes_its_members_and_ranks_their_feed(plugged):
    put_everyone_in(FeedArm.Strategy.PERSONALISED)
    member, other = person("plugged"), person("reader")
    assert (assign(member).arm, assign(member).strategy) == ("plug", "plug")
    assert assign(member).is_ranked
    assert assign(other).arm == "personalised"
    member.personalised_feed = False
    assert assign(member).arm == OPTED_OUT_ARM  # the person's own switch comes first
    member.personalised_feed = True
    member.save()

    first, second = write(other, "first"), write(other, "second")
    api = APIClient()
    sign_in_api(api, member)
    page = api.get("/api/timeline/home/").json()
    assert [item["id"] for item in page["results"]] == [first.pk, second.pk]
    assert {item["arm"] for item in page["results"]} == {"plug"}
    assert page["results"][0]["reason"] == "plugged in"
    assert plugged == [member.pk]


def test_without_the_arm_its_people_are_assigned_by_the_experiment():
    put_everyone_in(FeedArm.Strategy.PERSONALISED)
    assert assign(person("plugged")).arm == "personalised"
    assert arms.ranker_for("plug") is None


def test_an_arm_cannot_take_the_name_of_a_strategy():
    with pytest.raises(ValueError):
        arms.register_arm("diverse", ranker=lambda viewer, **kw: None, members=lambda u: True)
