"""Arm assignment: deterministic by person, proportional to the weights, opt-outs always
chronological (and labelled apart), and a sane fallback without arms."""

import math
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feeds.experiments import (
    FALLBACK_ARM,
    OPTED_OUT_ARM,
    active_arms,
    assign,
    bucket,
    choose_arm,
)
from feeds.models import FeedArm
from tests.feeds.home_helpers import person

Strategy = FeedArm.Strategy


def arms(**weights) -> list[FeedArm]:
    """Unsaved arms (assignment needs only names, strategies and weights)."""
    strategies = {
        "chronological": Strategy.CHRONOLOGICAL,
        "personalised": Strategy.PERSONALISED,
        "diverse": Strategy.DIVERSE,
    }
    return [
        FeedArm(name=name, strategy=strategies[name], weight=weight)
        for name, weight in weights.items()
    ]


def test_the_same_person_always_gets_the_same_arm_whatever_the_order_of_the_arms():
    forward = arms(chronological=1, personalised=1, diverse=1)
    backward = list(reversed(forward))
    for user_id in range(1, 500):
        first = choose_arm(user_id, forward, "salt").name
        assert choose_arm(user_id, forward, "salt").name == first
        assert choose_arm(user_id, backward, "salt").name == first


def test_the_hash_is_stable_across_processes():
    # A fixed value (SHA-256 of "salt:id"): Python's own hash() is salted per process and
    # would give every web worker its own assignment.
    assert bucket(42, "home-feed-1") == pytest.approx(0.5108110340938009)
    assert bucket(1, "x") != bucket(2, "x")


@pytest.mark.parametrize(
    "weights",
    [
        {"chronological": 1, "personalised": 1, "diverse": 1},
        {"chronological": 1, "personalised": 2, "diverse": 1},
        {"chronological": 5, "personalised": 90, "diverse": 5},
    ],
)
def test_people_are_spread_in_proportion_to_the_weights(weights):
    people = 30_000
    counts = Counter(choose_arm(i, arms(**weights), "salt").name for i in range(1, people + 1))
    total = sum(weights.values())
    chi_square = 0.0
    for name, weight in weights.items():
        expected = people * weight / total
        chi_square += (counts[name] - expected) ** 2 / expected
        assert abs(counts[name] - expected) < 5 * math.sqrt(expected)
    assert chi_square < 13.8  # 2 degrees of freedom, p = 0.001


def test_a_new_salt_reshuffles_people():
    three = arms(chronological=1, personalised=1, diverse=1)
    moved = sum(
        choose_arm(i, three, "one").name != choose_arm(i, three, "two").name for i in range(1, 3001)
    )
    assert 0.6 < moved / 3000 < 0.73  # two thirds move when the salt is independent


def test_an_arm_without_weight_gets_nobody():
    some = arms(chronological=0, personalised=1, diverse=1)
    names = {choose_arm(i, some, "salt").name for i in range(1, 2000)}
    assert names == {"personalised", "diverse"}


@pytest.mark.django_db
def test_assignment_reads_the_arms_staff_edit(settings):
    settings.FEED_EXPERIMENT_SALT = "staff-test"
    reader = person("reader")
    FeedArm.objects.update(weight=0)
    FeedArm.objects.filter(name="personalised-diverse").update(weight=3, blend={"fresh": 0.9})
    got = assign(reader)
    assert (got.arm, got.strategy, got.is_ranked, got.is_diverse) == (
        "personalised-diverse",
        Strategy.DIVERSE,
        True,
        True,
    )
    assert got.blend == {"fresh": 0.9}
    FeedArm.objects.filter(name="chronological").update(weight=1)
    FeedArm.objects.filter(name="personalised-diverse").update(weight=0)
    chronological = assign(reader)
    assert (chronological.arm, chronological.is_ranked, chronological.is_control) == (
        "chronological",
        False,
        True,
    )


@pytest.mark.django_db
def test_people_who_turned_personalisation_off_get_chronological_under_their_own_label():
    FeedArm.objects.update(weight=0)
    FeedArm.objects.filter(name="personalised").update(weight=1)
    reader = person("private-reader", personalised_feed=False)
    got = assign(reader)
    assert got.arm == OPTED_OUT_ARM and got.strategy == Strategy.CHRONOLOGICAL
    assert not got.is_ranked


@pytest.mark.django_db
def test_without_any_arm_everyone_is_ranked_under_the_fallback_label():
    FeedArm.objects.all().delete()
    got = assign(person("reader"))
    assert got.arm == FALLBACK_ARM and got.strategy == Strategy.PERSONALISED
    FeedArm.objects.create(name="paused", strategy=Strategy.CHRONOLOGICAL, weight=0)
    assert assign(person("another")).arm == FALLBACK_ARM


def test_the_arms_are_read_once_a_period(db, settings):
    """Every page needs the arms: a web process reads them once per
    FEED_SERVING_REFRESH_SECONDS, and a staff change reaches its pages after that."""
    settings.FEED_SERVING_REFRESH_SECONDS = 60
    FeedArm.objects.update(weight=0)
    FeedArm.objects.create(name="only", strategy=FeedArm.Strategy.PERSONALISED, weight=1)
    with CaptureQueriesContext(connection) as reads:
        assert [arm.name for arm in active_arms()] == ["only"]
        assert [arm.name for arm in active_arms()] == ["only"]
    assert len(reads.captured_queries) == 1
    FeedArm.objects.create(name="added", strategy=FeedArm.Strategy.CHRONOLOGICAL, weight=1)
    assert [arm.name for arm in active_arms()] == ["only"]
    settings.FEED_SERVING_REFRESH_SECONDS = 0
    assert [arm.name for arm in active_arms()] == ["added", "only"]
