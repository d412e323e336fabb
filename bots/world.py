"""The generative model of a world: bots, their follow graph, groups, posts and a history.

Pure numpy from a seed, with no database: seed_world writes what these functions draw, through
the site's services (small worlds) or with COPY (bulk), so both paths build the same world.
The parameters are in WorldConfig (and in bots.behaviour for reactions); docs/simulation.md
explains each.
"""

import random
from dataclasses import dataclass, field

import numpy as np

from bots import behaviour
from bots.writing import person_name

AGE_BRACKETS = (["18-24", "25-34", "35-44", "45-54", "55+", ""],
                [0.22, 0.30, 0.20, 0.13, 0.10, 0.05])  # fmt: skip
REGIONS = (["na", "eu", "as", "sa", "af", "oc"], [0.25, 0.25, 0.25, 0.10, 0.10, 0.05])
GROUP_SUFFIXES = ["Club", "Circle", "Crew", "Corner", "Collective"]
PROFILE_RATES = (
    "activity", "post_propensity", "session_length", "position_decay", "like_rate",
    "share_rate", "comment_rate", "follow_rate", "click_rate", "ad_click_rate",
)  # fmt: skip


@dataclass(frozen=True)
class WorldConfig:
    topics: int = 30
    taste_concentration: float = 0.1  # Dirichlet alpha_k = concentration x topics x popularity_k
    activity_median: float = 3.0  # sessions per simulated day (log-normal: heavy tail)
    activity_sigma: float = 1.0
    posts_per_bot: float = 5.0  # history posts per bot, on average
    events_per_bot: float = 250.0  # history events per bot, on average
    follows_median: float = 12.0  # out-degree of the follow graph (log-normal)
    follows_sigma: float = 0.8
    homophily: float = 3.0  # follow weight ~ (taste similarity + 0.02) ** homophily ...
    attachment: float = 1.0  # ... x (followers + 1) ** attachment (preferential attachment)
    followed_share: float = 0.6  # history impressions of followees' posts; the rest anywhere
    mixed_post_share: float = 0.3  # posts with a second topic (70/30)
    group_member_taste: float = 0.2  # bots this interested in a topic may join its group ...
    group_join_chance: float = 0.5  # ... with this chance
    group_post_share: float = 0.3  # posts members put in their topic's group
    history_days: float = 7.0
    seed: int = 0


def topic_popularity(count: int) -> np.ndarray:
    """Zipf-like: the first topics of the catalogue attract most interest."""
    weights = 1.0 / np.power(np.arange(count) + 2.0, 0.9)
    return weights / weights.sum()


@dataclass
class Bots:
    """n bots as arrays (row i is bot i)."""

    taste: np.ndarray
    activity: np.ndarray
    post_propensity: np.ndarray
    session_length: np.ndarray
    position_decay: np.ndarray
    like_rate: np.ndarray
    share_rate: np.ndarray
    comment_rate: np.ndarray
    follow_rate: np.ndarray
    click_rate: np.ndarray
    ad_click_rate: np.ndarray
    age_bracket: list[str]
    region: list[str]
    display_name: list[str]
    username_stem: list[str]

    def __len__(self) -> int:
        return len(self.activity)

    def profile(self, i: int) -> dict:
        """The BotProfile fields of bot i."""
        rates = {name: float(getattr(self, name)[i]) for name in PROFILE_RATES}
        return {"taste": [round(float(v), 5) for v in self.taste[i]], **rates}

    def top_topics(self, i: int, count: int = 3) -> list[int]:
        order = np.argsort(-self.taste[i])
        return [int(k) for k in order[:count] if self.taste[i, k] > 0.05] or [int(order[0])]


def draw_tastes(n: int, popularity: np.ndarray, concentration: float, rng) -> np.ndarray:
    alpha = np.maximum(concentration * len(popularity) * popularity, 1e-3)
    tastes = rng.dirichlet(alpha, size=n)
    bad = ~np.isfinite(tastes).all(axis=1) | (tastes.sum(axis=1) <= 0)
    for row in np.flatnonzero(bad):  # tiny alphas can underflow; fall back to one topic
        tastes[row] = 0.0
        tastes[row, rng.choice(len(popularity), p=popularity)] = 1.0
    return tastes / tastes.sum(axis=1, keepdims=True)


def draw_bots(n: int, config: WorldConfig, rng: np.random.Generator) -> Bots:
    popularity = topic_popularity(config.topics)
    names_rng = random.Random(int(rng.integers(2**31)))
    names = [person_name(names_rng) for _ in range(n)]
    return Bots(
        taste=draw_tastes(n, popularity, config.taste_concentration, rng),
        activity=config.activity_median * rng.lognormal(0.0, config.activity_sigma, n),
        post_propensity=rng.beta(1.2, 6.0, n),
        session_length=6.0 + rng.gamma(2.0, 6.0, n),
        position_decay=rng.uniform(0.88, 0.97, n),
        like_rate=rng.beta(4.0, 8.0, n),
        share_rate=rng.beta(1.5, 25.0, n),
        comment_rate=rng.beta(1.5, 30.0, n),
        follow_rate=rng.beta(2.0, 6.0, n),
        click_rate=rng.beta(2.0, 10.0, n),
        ad_click_rate=rng.beta(2.0, 30.0, n),
        age_bracket=list(rng.choice(AGE_BRACKETS[0], size=n, p=AGE_BRACKETS[1])),
        region=list(rng.choice(REGIONS[0], size=n, p=REGIONS[1])),
        display_name=[display for display, _ in names],
        username_stem=[stem for _, stem in names],
    )


def follow_graph(bots: Bots, config: WorldConfig, rng, *, candidates: int = 300):
    """Who follows whom: each bot, in random order, picks its out-degree of others from a
    sample, weighted by taste similarity (homophily) and by followers so far (preferential
    attachment). Returns (follower, followee) index arrays."""
    n = len(bots)
    if n < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    unit = bots.taste / np.linalg.norm(bots.taste, axis=1, keepdims=True)
    degree = np.minimum(
        np.round(config.follows_median * rng.lognormal(0, config.follows_sigma, n)).astype(int),
        min(n - 1, 300),  # under the follow rate limit (400 a day)
    )
    degree = np.maximum(degree, 1)
    followers = np.zeros(n)
    sources, targets = [], []
    for i in rng.permutation(n):
        if n - 1 <= candidates:
            pool = np.delete(np.arange(n), i)
        else:
            pool = np.unique(rng.integers(0, n, candidates))
            pool = pool[pool != i]
        similarity = np.clip(unit[pool] @ unit[i], 0.0, 1.0)
        popularity = (followers[pool] + 1) ** config.attachment
        weight = (similarity + 0.02) ** config.homophily * popularity
        # Weighted sampling without replacement: the k largest of u ** (1 / w).
        keys = rng.random(len(pool)) ** (1.0 / weight)
        chosen = pool[np.argsort(-keys)[: min(degree[i], len(pool))]]
        followers[chosen] += 1
        sources.append(np.full(len(chosen), i))
        targets.append(chosen)
    return np.concatenate(sources), np.concatenate(targets)


@dataclass
class GroupPlan:
    topic: int
    name: str
    owner: int
    members: np.ndarray  # bot indexes, the owner included


def plan_groups(bots: Bots, topic_names: list[str], config: WorldConfig, rng) -> list[GroupPlan]:
    """A group per topic (more in big worlds), owned by its keenest bot, joined by bots
    interested enough in the topic."""
    n = len(bots)
    per_topic = max(1, min(len(GROUP_SUFFIXES), 1 + n // 20000))
    groups, owners = [], set()
    for topic, name in enumerate(topic_names):
        keen = np.argsort(-bots.taste[:, topic])
        interested = np.flatnonzero(bots.taste[:, topic] >= config.group_member_taste)
        for g in range(per_topic):
            owner = next((int(b) for b in keen if int(b) not in owners), int(keen[0]))
            owners.add(owner)
            joins = interested[rng.random(len(interested)) < config.group_join_chance / per_topic]
            members = np.unique(np.append(joins, owner))
            title = f"{name.capitalize()} {GROUP_SUFFIXES[(topic + g) % len(GROUP_SUFFIXES)]}"
            groups.append(GroupPlan(topic=topic, name=title, owner=owner, members=members))
    return groups


@dataclass
class Posts:
    author: np.ndarray
    topic: np.ndarray  # main topic
    second: np.ndarray  # second topic, or -1
    second_weight: np.ndarray  # 0 when single-topic
    quality: np.ndarray
    days_ago: np.ndarray
    group: np.ndarray  # index into the group plan, or -1

    def __len__(self) -> int:
        return len(self.author)

    def mix(self, i: int) -> dict[int, float]:
        if self.second[i] < 0:
            return {int(self.topic[i]): 1.0}
        w = float(self.second_weight[i])
        return {int(self.topic[i]): round(1 - w, 4), int(self.second[i]): round(w, 4)}


def _categorical_rows(probabilities: np.ndarray, rng) -> np.ndarray:
    """One draw per row of a row-stochastic matrix."""
    cumulative = np.cumsum(probabilities, axis=1)
    draws = rng.random((len(probabilities), 1)) * cumulative[:, -1:]
    return np.minimum((cumulative < draws).sum(axis=1), probabilities.shape[1] - 1)


def draw_posts(bots: Bots, groups: list[GroupPlan], config: WorldConfig, rng) -> Posts:
    """Each bot writes in proportion to its propensity and activity, about topics it likes."""
    n = len(bots)
    appetite = bots.post_propensity * np.sqrt(bots.activity)
    expected = config.posts_per_bot * n * appetite / max(appetite.sum(), 1e-9)
    counts = rng.poisson(expected)
    author = np.repeat(np.arange(n), counts)
    topic = _categorical_rows(bots.taste[author], rng)
    mixed = rng.random(len(author)) < config.mixed_post_share
    rest = bots.taste[author].copy()
    rest[np.arange(len(author)), topic] = 0.0
    has_rest = rest.sum(axis=1) > 0
    second = np.where(mixed & has_rest, _categorical_rows(rest + 1e-12, rng), -1)
    weight = np.where(second >= 0, 0.3, 0.0)
    quality = np.clip(rng.lognormal(0.0, 0.3, len(author)), 0.4, 2.5)
    days_ago = rng.random(len(author)) * config.history_days
    group = np.full(len(author), -1)
    membership = {}
    for index, plan in enumerate(groups):
        for member in plan.members:
            membership.setdefault((int(member), plan.topic), index)
    in_group = rng.random(len(author)) < config.group_post_share
    for i in np.flatnonzero(in_group):
        group[i] = membership.get((int(author[i]), int(topic[i])), -1)
    # A group's posts keep to its topic: a mixed post's second hashtag in "Chess Circle"
    # would make it "popular in #hiking" to the suggestions.
    second = np.where(group >= 0, -1, second)
    weight = np.where(group >= 0, 0.0, weight)
    return Posts(author, topic, second, weight, quality, days_ago, group)


def post_utilities(bots: Bots, posts: Posts, bot_index, post_index) -> np.ndarray:
    """True utility (see bots.truth) for pairs (bot_index[j], post_index[j])."""
    taste = bots.taste / bots.taste.max(axis=1, keepdims=True)
    main = taste[bot_index, posts.topic[post_index]] * (1 - posts.second_weight[post_index])
    second = posts.second[post_index]
    extra = np.where(
        second >= 0,
        taste[bot_index, np.maximum(second, 0)] * posts.second_weight[post_index],
        0.0,
    )
    return (main + extra) * posts.quality[post_index]


@dataclass
class History:
    """What bots were shown before the simulation starts, and what they did about it."""

    bot: np.ndarray
    post: np.ndarray
    days_ago: np.ndarray
    position: np.ndarray
    dwell_ms: np.ndarray  # 0: scrolled past, not read (an impression without a dwell)
    liked: np.ndarray
    shared: np.ndarray
    commented: np.ndarray
    clicked: np.ndarray
    follows: tuple[np.ndarray, np.ndarray] = field(
        default_factory=lambda: (np.zeros(0, np.int64), np.zeros(0, np.int64))
    )

    def __len__(self) -> int:
        return len(self.bot)

    @property
    def event_count(self) -> int:
        reactions = self.liked.sum() + self.shared.sum() + self.commented.sum() + self.clicked.sum()
        reads = int((self.dwell_ms > 0).sum())
        return int(len(self) + reads + reactions + len(self.follows[0]))


def _csr(keys: np.ndarray, values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(keys, kind="stable")
    starts = np.zeros(size + 1, dtype=np.int64)
    np.add.at(starts, keys + 1, 1)
    return np.cumsum(starts), values[order]


def _first_of_pairs(mask: np.ndarray, bot: np.ndarray, post: np.ndarray, posts: int) -> np.ndarray:
    """Keep a reaction only on the first impression of each (bot, post) pair."""
    pair = bot.astype(np.int64) * posts + post
    _, first = np.unique(pair, return_index=True)
    keep = np.zeros(len(mask), bool)
    keep[first] = True
    return mask & keep


def draw_history(bots: Bots, posts: Posts, follows, config: WorldConfig, rng) -> History:
    """Impressions of followees' posts and of posts from anywhere, in proportion to activity,
    with the reactions bots.behaviour gives them."""
    n, p = len(bots), len(posts)
    if not n or not p:
        empty = np.zeros(0, np.int64)
        return History(empty, empty, np.zeros(0), empty, empty, *([np.zeros(0, bool)] * 4))
    target = config.events_per_bot * n / 1.5  # an impression, and for some a dwell, reactions
    share = bots.activity / bots.activity.sum()
    shown = np.maximum(rng.poisson(target * share), 3)
    bot = np.repeat(np.arange(n), shown)
    follow_starts, followees = _csr(follows[0], follows[1], n)
    post_starts, by_author = _csr(posts.author, np.arange(p), n)
    out_degree = np.diff(follow_starts)
    post = rng.integers(0, p, len(bot))
    from_followee = (rng.random(len(bot)) < config.followed_share) & (out_degree[bot] > 0)
    chosen_bot = bot[from_followee]
    pick = follow_starts[chosen_bot] + (rng.random(len(chosen_bot)) * out_degree[chosen_bot])
    followee = followees[pick.astype(np.int64)]
    written = np.diff(post_starts)[followee]
    has_posts = written > 0
    offset = post_starts[followee] + (rng.random(len(followee)) * np.maximum(written, 1))
    followee_post = by_author[np.minimum(offset.astype(np.int64), max(p - 1, 0))]
    post[np.flatnonzero(from_followee)[has_posts]] = followee_post[has_posts]
    own = posts.author[post] == bot
    bot, post = bot[~own], post[~own]
    m = len(bot)
    position = (rng.random(m) * bots.session_length[bot]).astype(np.int64)
    looked = rng.random(m) < behaviour.attention(position, bots.position_decay[bot])
    felt = behaviour.perceived(post_utilities(bots, posts, bot, post), rng.standard_normal(m))
    read = looked & (rng.random(m) < behaviour.read_probability(felt))
    dwell = np.where(read, behaviour.read_dwell_ms(felt, rng.random(m)), 0)

    def reacted(probability):
        return _first_of_pairs(read & (rng.random(m) < probability), bot, post, p)

    liked = reacted(behaviour.like_probability(felt, bots.like_rate[bot]))
    shared = reacted(behaviour.share_probability(felt, bots.share_rate[bot]))
    commented = reacted(behaviour.comment_probability(felt, bots.comment_rate[bot]))
    clicked = read & (rng.random(m) < behaviour.click_probability(felt, bots.click_rate[bot]))
    # Between the post's creation and now, at least a minute ago.
    days_ago = np.maximum(posts.days_ago[post] * rng.random(m), 1.0 / 1440)
    follow_chance = behaviour.follow_probability(felt, bots.follow_rate[bot])
    follow_more = liked & (rng.random(m) < follow_chance)
    new_pairs = _new_follows(bot[follow_more], posts.author[post[follow_more]], follows, n)
    return History(
        bot, post, days_ago, position, dwell.astype(np.int64), liked, shared, commented, clicked,
        follows=new_pairs,
    )  # fmt: skip


def _new_follows(followers, followees, existing, n: int):
    """Distinct (follower, followee) pairs not already in the graph."""
    if not len(followers):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    known = set((existing[0].astype(np.int64) * n + existing[1]).tolist())
    pairs = np.unique(followers.astype(np.int64) * n + followees)
    fresh = np.array([pair for pair in pairs.tolist() if pair not in known], dtype=np.int64)
    return fresh // n, fresh % n
