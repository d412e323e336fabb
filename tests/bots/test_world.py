"""The generative model of the world: seeded, and shaped the way docs/simulation.md says."""

import random
import re
from dataclasses import replace

import numpy as np
import pytest

from analytics.metrics import gini
from bots import behaviour
from bots.catalogue import CATALOGUE
from bots.world import (
    WorldConfig,
    draw_bots,
    draw_history,
    draw_posts,
    follow_graph,
    plan_groups,
    post_utilities,
    topic_popularity,
)
from bots.writing import TopicWords, avatar_png, bio, comment_text, post_text

CONFIG = WorldConfig(topics=20, seed=1)
NAMES = [name for name, *_ in CATALOGUE[:20]]


@pytest.fixture(scope="module")
def world():
    rng = np.random.default_rng(1)
    bots = draw_bots(400, CONFIG, rng)
    follows = follow_graph(bots, CONFIG, rng)
    groups = plan_groups(bots, NAMES, CONFIG, rng)
    posts = draw_posts(bots, groups, CONFIG, rng)
    history = draw_history(bots, posts, follows, CONFIG, rng)
    return bots, follows, groups, posts, history


def test_the_same_seed_draws_the_same_world():
    first = draw_bots(50, CONFIG, np.random.default_rng(5))
    again = draw_bots(50, CONFIG, np.random.default_rng(5))
    assert np.array_equal(first.taste, again.taste)
    assert first.username_stem == again.username_stem


def test_tastes_are_distributions_concentrated_on_few_topics(world):
    bots = world[0]
    assert np.allclose(bots.taste.sum(axis=1), 1.0)
    # Most bots put most of their interest on a handful of topics.
    top_three = np.sort(bots.taste, axis=1)[:, -3:].sum(axis=1)
    assert np.median(top_three) > 0.8
    # Popular topics attract more bots than the tail.
    assert bots.taste[:, :3].sum() > bots.taste[:, -3:].sum() * 2
    assert topic_popularity(20)[0] > topic_popularity(20)[-1]


def test_activity_is_heavy_tailed(world):
    activity = world[0].activity
    top_tenth = np.sort(activity)[-len(activity) // 10 :].sum()
    assert top_tenth / activity.sum() > 0.3  # a few very active, many occasional
    assert np.mean(activity) > np.median(activity)


def test_follows_are_homophilous_with_preferential_attachment(world):
    bots, (sources, targets) = world[0], world[1]
    assert not np.any(sources == targets)
    unit = bots.taste / np.linalg.norm(bots.taste, axis=1, keepdims=True)
    followed = np.einsum("ij,ij->i", unit[sources], unit[targets]).mean()
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, len(bots), 5000), rng.integers(0, len(bots), 5000)
    anyone = np.einsum("ij,ij->i", unit[a], unit[b]).mean()
    assert followed > anyone + 0.15
    # Preferential attachment concentrates followers more than taste alone does.
    flat = follow_graph(bots, replace(CONFIG, attachment=0.0), np.random.default_rng(1))[1]
    assert gini(np.bincount(targets, minlength=len(bots))) > gini(
        np.bincount(flat, minlength=len(bots))
    )


def test_groups_posts_and_history_follow_tastes(world):
    bots, _, groups, posts, history = world
    assert len(groups) == 20
    for group in groups:
        assert group.owner in group.members
    # A post's main topic is one its author cares about.
    assert np.mean(bots.taste[posts.author, posts.topic]) > 0.2
    assert np.all(posts.second[posts.second >= 0] != posts.topic[posts.second >= 0])
    assert np.all((posts.quality >= 0.4) & (posts.quality <= 2.5))
    in_group = posts.group >= 0
    for i in np.flatnonzero(in_group)[:50]:
        assert posts.author[i] in groups[posts.group[i]].members
    # A group's posts are about its topic alone, so no group looks "popular in" another's
    # topic ("Chess Circle: popular in #hiking").
    assert in_group.any() and (posts.second >= 0).any()
    assert np.all(posts.second[in_group] == -1)
    assert np.all(posts.topic[in_group] == [groups[g].topic for g in posts.group[in_group]])
    # History: nobody sees their own posts; liked posts are better for the bot than others.
    assert not np.any(posts.author[history.post] == history.bot)
    utility = post_utilities(bots, posts, history.bot, history.post)
    assert utility[history.liked].mean() > utility.mean() * 1.5
    assert np.all(history.dwell_ms[history.liked] > 0)  # a like comes after a read
    assert history.event_count > len(history)


def test_post_utilities_match_the_definition(world):
    bots, _, _, posts, _ = world
    bot, post = 3, int(np.flatnonzero(posts.second >= 0)[0])
    taste = bots.taste[bot] / bots.taste[bot].max()
    mix = posts.mix(post)
    expected = sum(taste[k] * w for k, w in mix.items()) * posts.quality[post]
    assert post_utilities(bots, posts, np.array([bot]), np.array([post]))[0] == pytest.approx(
        expected, rel=1e-3
    )


def test_reaction_probabilities_rise_with_utility_and_stay_below_one():
    low, high = 0.05, 1.0
    assert behaviour.like_probability(high, 0.4) > behaviour.like_probability(low, 0.4)
    assert behaviour.like_probability(50.0, 0.9) <= behaviour.MAX_PROBABILITY
    assert behaviour.read_probability(0.0) == pytest.approx(behaviour.NOTICE_BASE)
    assert behaviour.read_probability(5.0) == 1.0
    assert behaviour.attention(0, 0.9) == 1.0
    assert behaviour.attention(10, 0.9) == pytest.approx(0.9**10)
    assert behaviour.attention(200, 0.9) == behaviour.ATTENTION_FLOOR
    assert int(behaviour.read_dwell_ms(1.0, 1.0)) > int(behaviour.read_dwell_ms(0.1, 1.0))


def test_boredom_slows_a_bot_down_and_then_it_churns():
    assert behaviour.return_multiplier(0.5) == 1.0
    assert behaviour.return_multiplier(0.1) == pytest.approx(0.25)
    satisfaction = 0.3
    for _ in range(6):
        satisfaction = behaviour.updated_satisfaction(satisfaction, 0.0)
    assert behaviour.has_churned(satisfaction, sessions=6)
    assert not behaviour.has_churned(satisfaction, sessions=2)  # not before a few sessions
    assert not behaviour.has_churned(0.3, sessions=50)
    # A bored bot waits longer between sessions.
    assert behaviour.next_session_delay_days(4.0, 0.05, 0.5) > behaviour.next_session_delay_days(
        4.0, 0.5, 0.5
    )


def test_posts_read_like_posts_about_their_topic():
    _, hashtags, things, did, feel = CATALOGUE[1]
    words = TopicWords(hashtags, things, did, feel)
    other = TopicWords(*CATALOGUE[2][1:])
    rng = random.Random(4)
    for _ in range(300):
        text = post_text(words, rng, second=other if rng.random() < 0.5 else None)
        assert any(f"#{tag}" in text for tag in hashtags)
        assert len(text) <= 500
        assert "{" not in text
        tags = re.findall(r"#\w+", text)
        assert len(tags) == len(set(tags)), text  # no post says "#espresso #espresso"
    assert comment_text(words, rng)
    assert "#" + hashtags[0] in bio([words, other], rng)
    assert avatar_png("mei_okafor1").startswith(b"\x89PNG")
