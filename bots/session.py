"""One session of one bot, over the site's HTTP API.

Open the home feed, scroll with position-dependent attention (bots.behaviour), report every
impression and its dwell to /api/events/ (echoing the serve token the feed gave),
like, share, comment, open posts and follow authors with probabilities from true utility, click
sponsored items whose topics it likes, and sometimes write a post, join a group or search.
"""

import random
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from bots import behaviour, services
from bots.client import Response, SiteClient, retry_after
from bots.selectors import bot_relations
from bots.truth import TopicSpace, normalised_taste, post_mixes, utility
from bots.world import PROFILE_RATES
from bots.writing import comment_text, post_text

MAX_PAGES = 3
SEEN_MEMORY = 1000
SEARCH_CHANCE, JOIN_CHANCE, GROUP_POST_CHANCE, MIXED_POST_CHANCE = 0.08, 0.05, 0.3, 0.3
SEARCH_READS = 5
EVENT_BATCH = 200
PATIENCE = 10.0  # wait out a 429 this short; a longer one ends the session (or skips the action)


class RateLimitedFor(Exception):
    def __init__(self, seconds: float):
        super().__init__(f"rate limited for {seconds:.0f} s")
        self.seconds = seconds


class CannotLogIn(Exception):
    pass


class TokenRefused(Exception):
    """The site no longer accepts the bot's token; it logs in again next session."""


@dataclass
class World:
    """What every session shares: the topics, their groups, the bots' password."""

    space: TopicSpace
    groups_by_topic: dict[int, list[tuple[int, str]]]
    password: str


@dataclass
class BotState:
    user_id: int
    username: str
    taste: np.ndarray  # as drawn (sums to 1)
    rates: dict
    satisfaction: float
    sessions: int
    next_at: float = 0.0
    token: str | None = None
    followed: set[str] | None = None
    groups: set[int] | None = None
    seen: deque = field(default_factory=lambda: deque(maxlen=SEEN_MEMORY))
    churned: bool = False

    @classmethod
    def from_row(cls, row: dict) -> "BotState":
        rates = {name: float(row[name]) for name in PROFILE_RATES}
        return cls(
            user_id=row["user_id"],
            username=row["user__username"],
            taste=np.asarray(row["taste"], dtype=float),
            rates=rates,
            satisfaction=float(row["satisfaction"]),
            sessions=int(row["sessions"]),
            token=row.get("api_token") or None,
        )

    @property
    def normalised(self) -> np.ndarray:
        return normalised_taste(self.taste)


@dataclass
class Outcome:
    looked_utilities: list[float] = field(default_factory=list)
    arm: str = ""
    model_version: int | None = None
    counts: dict = field(default_factory=dict)

    def add(self, name: str, amount: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + amount


def _now() -> str:
    return datetime.now(UTC).isoformat()


class Session:
    def __init__(self, bot: BotState, client: SiteClient, world: World, rng: random.Random):
        self.bot, self.client, self.world, self.rng = bot, client, world, rng
        self.outcome = Outcome()
        self.key = f"{bot.user_id}-{bot.sessions}-{uuid.uuid4().hex[:8]}"
        self.sent = 0

    # --- plumbing --------------------------------------------------------------------

    def call(self, method: str, path: str, *, essential: bool = True, **kwargs) -> Response:
        """A request as this bot. A long 429 ends the session when the call is essential
        (the feed, events), else the action is skipped (its answer is returned)."""
        response = self.client.request(method, path, token=self.bot.token, patient=False, **kwargs)
        if response.status == 401:  # the token is no longer valid: log in again next time
            self.bot.token = None
            raise TokenRefused(f"@{self.bot.username}")
        if response.status == 429:
            wait = retry_after(response)
            if wait <= PATIENCE:
                self.client.pause(wait)
                return self.call(method, path, essential=essential, **kwargs)
            self.outcome.add("rate limited")
            if essential:
                raise RateLimitedFor(wait)
        return response

    def login(self) -> None:
        if self.bot.token:
            return
        response = self.client.request(
            "POST",
            "/api/auth/token/",
            json_body={"username": self.bot.username, "password": self.world.password},
            patient=False,
        )
        if response.status == 429:
            raise RateLimitedFor(retry_after(response))
        if not response.ok or not isinstance(response.data, dict):
            raise CannotLogIn(f"@{self.bot.username}: {response.status}")
        self.bot.token = response.data["token"]
        self.outcome.add("logins")

    def send_events(self, events: list[dict]) -> None:
        for start in range(0, len(events), EVENT_BATCH):
            batch = events[start : start + EVENT_BATCH]
            response = self.call("POST", "/api/events/", json_body={"events": batch})
            if response.ok:
                self.outcome.add("events", response.data.get("accepted", 0))

    def event(self, kind: str, **fields) -> dict:
        self.sent += 1
        return {"kind": kind, "key": f"{self.key}-{self.sent}", "at": _now(), **fields}

    # --- the session -----------------------------------------------------------------

    def run(self) -> Outcome:
        self.login()
        if self.bot.followed is None:
            self.bot.followed, self.bot.groups = bot_relations(self.bot.user_id)
        self.read_home()
        if self.rng.random() < self.bot.rates["post_propensity"]:
            self.write_post()
        if self.rng.random() < JOIN_CHANCE:
            self.join_group()
        if self.rng.random() < SEARCH_CHANCE:
            self.search()
        self.finish()
        return self.outcome

    def scroll_budget(self) -> int:
        """Posts scrolled this session: geometric, with the bot's mean session length."""
        mean = max(self.bot.rates["session_length"], 1.0)
        return 1 + int(np.log(1 - self.rng.random()) / np.log(1 - 1 / mean))

    def read_home(self) -> None:
        budget, position, path = self.scroll_budget(), 0, "/api/timeline/home/"
        for _ in range(MAX_PAGES):
            response = self.call("GET", path)
            if not response.ok or not isinstance(response.data, dict):
                self.outcome.add("feed errors")
                return
            page = response.data
            posts = page.get("results") or []
            if posts and not self.outcome.arm:
                self.outcome.arm = posts[0].get("arm", "")
            for post in posts:
                if post.get("model_version"):
                    self.outcome.model_version = post["model_version"]
            budget, position = self.read_list(
                posts, page.get("sponsored") or [], budget=budget, start=position, surface="home"
            )
            path = page.get("next")
            if budget <= 0 or not path:
                return

    def read_list(self, posts, sponsored, *, budget: int, start: int, surface: str):
        """Scroll down a list, reading with attention; report it; then react."""
        mixes = post_mixes([p["id"] for p in posts], self.world.space)
        ads = {int(ad.get("position", 0)): ad for ad in sponsored if isinstance(ad, dict)}
        taste, rates, rng = self.bot.normalised, self.bot.rates, self.rng
        events, reactions, position = [], [], start
        for index, post in enumerate(posts):
            if budget <= 0:
                break
            if index in ads:
                self.consider_ad(ads[index], position)
                position += 1
            mix, quality = mixes.get(post["id"], ({}, 1.0))
            true_utility = utility(taste, mix, quality)
            felt = float(behaviour.perceived(true_utility, rng.gauss(0, 1)))
            # Something seen in an earlier session is scrolled past.
            looked = post["id"] not in self.bot.seen and rng.random() < float(
                behaviour.attention(position, rates["position_decay"])
            )
            read = looked and rng.random() < float(behaviour.read_probability(felt))
            where = {"post": post["id"], "surface": surface, "position": position}
            if post.get("serve"):  # the site's signed record of the arm and model version
                where["serve"] = post["serve"]
            events.append(self.event("impression", **where))
            self.outcome.add("impressions")
            if looked:
                self.outcome.looked_utilities.append(true_utility)
            if read:
                dwell = int(behaviour.read_dwell_ms(felt, rng.random()))
                events.append(self.event("dwell", dwell_ms=dwell, **where))
                self.outcome.add("reads")
                if rng.random() < float(behaviour.click_probability(felt, rates["click_rate"])):
                    events.append(self.event("click", **where))
                    self.outcome.add("clicks")
                reactions.append((post, felt, mix))
            self.bot.seen.append(post["id"])
            position += 1
            budget -= 1
        self.send_events(events)
        for post, felt, mix in reactions:
            self.react(post, felt, mix, surface=surface)
        return budget, position

    def react(self, post: dict, felt: float, mix: dict, *, surface: str) -> None:
        """Like, share, comment, follow: each told where it was seen (the experiments count
        reactions on For you, the surface `home`)."""
        rates, rng, path = self.bot.rates, self.rng, f"/api/posts/{post['id']}"
        where = {"surface": surface}
        liked = False
        like = behaviour.like_probability(felt, rates["like_rate"])
        if not post.get("viewer_liked") and rng.random() < float(like):
            answer = self.call("POST", f"{path}/like/", json_body=where, essential=False)
            liked = answer.status == 201
            self.outcome.add("likes", int(liked))
        share = behaviour.share_probability(felt, rates["share_rate"])
        if not post.get("viewer_shared") and rng.random() < float(share):
            answer = self.call("POST", f"{path}/share/", json_body=where, essential=False)
            self.outcome.add("shares", int(answer.status == 201))
        if rng.random() < float(behaviour.comment_probability(felt, rates["comment_rate"])):
            topic = max(mix, key=mix.get) if mix else self.favourite_topic()
            text = comment_text(self.world.space.words[topic], rng)
            answer = self.call(
                "POST", f"{path}/comments/", json_body={"text": text, **where}, essential=False
            )
            self.outcome.add("comments", int(answer.status == 201))
        author = (post.get("author") or {}).get("username")
        new_author = author and author != self.bot.username and author not in self.bot.followed
        follow = behaviour.follow_probability(felt, rates["follow_rate"])
        if liked and new_author and rng.random() < float(follow):
            answer = self.call("POST", f"/api/users/{author}/follow/", essential=False)
            if answer.ok:
                self.bot.followed.add(author)
                self.outcome.add("follows")

    def consider_ad(self, ad: dict, position: int) -> None:
        """A sponsored item in view: clicked with a chance from the true utility of its topics."""
        self.outcome.add("ads seen")
        mix = self.world.space.mix_of_hashtags(ad.get("topics") or [])
        felt = float(behaviour.perceived(utility(self.bot.normalised, mix), self.rng.gauss(0, 1)))
        seen = self.rng.random() < float(
            behaviour.attention(position, self.bot.rates["position_decay"])
        )
        chance = float(behaviour.click_probability(felt, self.bot.rates["ad_click_rate"]))
        if seen and ad.get("click_url") and self.rng.random() < chance:
            answer = self.call("GET", ad["click_url"], essential=False)
            self.outcome.add("ad clicks", int(answer.status in (200, 204, 301, 302, 303)))

    def favourite_topic(self) -> int:
        return int(np.argmax(self.bot.taste))

    def pick_topic(self) -> int:
        weights = self.bot.taste / self.bot.taste.sum()
        return int(np.searchsorted(np.cumsum(weights), self.rng.random() * weights.sum()))

    def write_post(self) -> None:
        space, rng = self.world.space, self.rng
        topic = min(self.pick_topic(), space.size - 1)
        second = None
        if rng.random() < MIXED_POST_CHANCE:
            other = min(self.pick_topic(), space.size - 1)
            second = other if other != topic else None
        also = space.words[second] if second is not None else None
        body = {"text": post_text(space.words[topic], rng, second=also)}
        groups = self.world.groups_by_topic.get(topic, [])
        mine = [slug for group_id, slug in groups if group_id in self.bot.groups]
        if mine and second is None and rng.random() < GROUP_POST_CHANCE:  # on topic only
            body["group"] = mine[0]
        answer = self.call("POST", "/api/posts/", json_body=body, essential=False)
        if answer.status == 201 and isinstance(answer.data, dict):
            mix = {topic: 1.0} if second is None else {topic: 0.7, second: 0.3}
            quality = float(np.clip(np.exp(rng.gauss(0, 0.3)), 0.4, 2.5))
            services.post_truth_record(post_id=answer.data["id"], topics=mix, quality=quality)
            self.outcome.add("posts")

    def join_group(self) -> None:
        topic = self.pick_topic()
        groups = self.world.groups_by_topic.get(topic, [])
        choices = [(group_id, slug) for group_id, slug in groups if group_id not in self.bot.groups]
        if not choices:
            return
        group_id, slug = self.rng.choice(choices)
        answer = self.call("POST", f"/api/groups/{slug}/membership/", essential=False)
        if answer.ok:
            self.bot.groups.add(group_id)
            self.outcome.add("group joins")

    def search(self) -> None:
        words = self.world.space.words[min(self.pick_topic(), self.world.space.size - 1)]
        query = self.rng.choice(words.hashtags)
        answer = self.call("GET", "/api/search/posts/", params={"q": query}, essential=False)
        self.outcome.add("searches")
        if answer.ok and isinstance(answer.data, dict):
            results = (answer.data.get("results") or [])[:SEARCH_READS]
            self.read_list(results, [], budget=SEARCH_READS, start=0, surface="search")

    def finish(self) -> None:
        """Update the bot's satisfaction (and churn) from what it looked at this session."""
        reads = self.outcome.looked_utilities
        bot = self.bot
        bot.satisfaction = behaviour.updated_satisfaction(
            bot.satisfaction, sum(reads) / len(reads) if reads else None
        )
        bot.sessions += 1
        bot.churned = behaviour.has_churned(bot.satisfaction, bot.sessions)
        services.session_record(
            user_id=bot.user_id,
            satisfaction=bot.satisfaction,
            sessions=bot.sessions,
            churned=bot.churned,
            token=bot.token or "",
        )
        if bot.churned:
            self.outcome.add("churned")
