"""Seeding a world: topics, bots, follows, groups, posts and a history of interactions.

`seed_world` draws the world with bots.world and writes it one of two ways:

- through the site's own services (small worlds): every account, follow, group, post, like,
  share and comment is made exactly as a person's would be, with its event and its counters,
  and the history's impressions go through the beacon ingestion. Everything is stamped now.
- in bulk (bots.bulk): COPY on PostgreSQL (bulk inserts on SQLite), history spread over the
  past days, for 100,000 bots and millions of events in minutes.

Re-running is safe: the world grows to the number of bots asked for and says what it found.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F

from accounts import services as accounts
from accounts.models import User
from accounts.tokens import token_issue
from ads.seeding import seed_campaigns
from bots import world as model
from bots.catalogue import CATALOGUE, MAX_TOPICS, MIN_TOPICS
from bots.credentials import bot_password
from bots.models import BotProfile, PostTruth, Topic
from bots.writing import TopicWords, avatar_png, bio, comment_text, post_text
from events.models import Event, Surface
from events.services import events_ingest
from social import services as social
from social.models import Comment, Follow, Group, Like, Membership, Post, Share
from social.selectors import visible_post_authors

Progress = Callable[[str, int, int], None]  # stage, done, total


@dataclass
class SeedResult:
    topics: int
    bots_before: int
    bots_added: int
    posts: int = 0
    follows: int = 0
    groups: int = 0
    events: int = 0
    method: str = ""
    campaigns: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        if not self.bots_added:
            bots = (
                f"The world already has {self.bots_before:,} bots over {self.topics} topics; "
                "no bots to add."
            )
        else:
            bots = (
                f"Added {self.bots_added:,} bots ({self.method}) to the {self.bots_before:,} "
                f"there were, over {self.topics} topics: {self.posts:,} posts, "
                f"{self.follows:,} follows, {self.groups:,} new groups, {self.events:,} "
                "history events."
            )
        ads = self.campaigns
        if not ads:
            return bots
        return (
            f"{bots} Advertisers: {ads['advertisers_created']} added, "
            f"{ads['advertisers_existing']} already there; campaigns: "
            f"{ads['campaigns_created']} added, {ads['campaigns_existing']} already there."
        )


def ensure_topics(count: int | None) -> list[Topic]:
    """The world's topics: created from the catalogue the first time; afterwards the number
    is fixed (every bot's taste is a vector over them), and asking for another is refused."""
    existing = list(Topic.objects.order_by("index"))
    if existing:
        if count is not None and count != len(existing):
            raise ValidationError(
                f"The world has {len(existing)} topics and every bot's taste is a vector over "
                f"them, so it cannot change to {count}. Seed a different world in a fresh "
                "database, or leave out --topics."
            )
        return existing
    count = count or 30
    if not MIN_TOPICS <= count <= MAX_TOPICS:
        raise ValidationError(f"Choose between {MIN_TOPICS} and {MAX_TOPICS} topics.")
    popularity = model.topic_popularity(count)
    Topic.objects.bulk_create(
        Topic(
            index=index,
            name=name,
            hashtags=hashtags,
            vocabulary={"things": things, "did": did, "feel": feel},
            popularity=float(popularity[index]),
        )
        for index, (name, hashtags, things, did, feel) in enumerate(CATALOGUE[:count])
    )
    return list(Topic.objects.order_by("index"))


def unique_usernames(stems: list[str], *, start: int) -> list[str]:
    """stem + a number, skipping any taken (by people or earlier bots)."""
    names = [f"{stem}{start + i}"[:30] for i, stem in enumerate(stems)]
    taken = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    result, bump = [], 0
    for name, stem in zip(names, stems, strict=True):
        while name in taken:
            bump += 1
            name = f"{stem}{start + len(stems) + bump}"[:30]
        taken.add(name)
        result.append(name)
    return result


def seed_world(
    *,
    bots: int,
    config: model.WorldConfig,
    topics: int | None = None,
    method: str = "auto",
    progress: Progress | None = None,
) -> SeedResult:
    """Grow the world to `bots` bots (see the module's docstring)."""
    if bots < 0:
        raise ValidationError("The number of bots cannot be negative.")
    world_topics = ensure_topics(topics)
    config = model.WorldConfig(**{**config.__dict__, "topics": len(world_topics)})
    before = BotProfile.objects.count()
    result = SeedResult(topics=len(world_topics), bots_before=before, bots_added=0)
    result.campaigns = seed_advertisers(world_topics, seed=config.seed, progress=progress)
    wanted = bots - before
    if wanted <= 0:
        return result
    if method == "auto":
        from bots import conf

        method = "bulk" if wanted > conf.get("BOTS_BULK_ABOVE") else "services"
    rng = np.random.default_rng([config.seed, before])
    drawn = model.draw_bots(wanted, config, rng)
    follows = model.follow_graph(drawn, config, rng)
    groups = model.plan_groups(drawn, [t.name for t in world_topics], config, rng)
    posts = model.draw_posts(drawn, groups, config, rng)
    history = model.draw_history(drawn, posts, follows, config, rng)
    usernames = unique_usernames(drawn.username_stem, start=before + 1)
    plan = WorldPlan(world_topics, drawn, usernames, follows, groups, posts, history, config)
    if method == "bulk":
        from bots.bulk import write_world

        counts = write_world(plan, progress=progress)
    elif method == "services":
        counts = ServicesWriter(plan, progress).write()
    else:
        raise ValidationError(f"Unknown method “{method}”: use auto, services or bulk.")
    result.bots_added = wanted
    result.method = method
    for name, value in counts.items():
        setattr(result, name, value)
    return result


def seed_advertisers(world_topics: list[Topic], *, seed: int, progress=None) -> dict:
    """Advertisers with campaigns across the world's topics (what already exists is kept),
    so bots meet sponsored posts and the ad targeter learns from their clicks."""
    from bots import conf

    return seed_campaigns(
        topics=[(topic.name, list(topic.hashtags)) for topic in world_topics],
        advertisers=conf.get("BOTS_SEED_ADVERTISERS"),
        seed=seed,
        progress=progress,
    )


@dataclass
class WorldPlan:
    """A drawn world, ready to be written."""

    topics: list[Topic]
    bots: model.Bots
    usernames: list[str]
    follows: tuple[np.ndarray, np.ndarray]
    groups: list[model.GroupPlan]
    posts: model.Posts
    history: model.History
    config: model.WorldConfig

    def words(self, topic: int) -> TopicWords:
        return TopicWords.of(self.topics[topic])

    def interests(self, bot: int) -> list[str]:
        return [self.topics[k].hashtags[0] for k in self.bots.top_topics(bot)]

    def bio(self, bot: int, rng: random.Random) -> str:
        return bio([self.words(k) for k in self.bots.top_topics(bot)], rng)

    def post_text(self, index: int, rng: random.Random) -> str:
        second = int(self.posts.second[index])
        return post_text(
            self.words(int(self.posts.topic[index])),
            rng,
            second=self.words(second) if second >= 0 else None,
        )

    def comment(self, post: int, rng: random.Random) -> str:
        return comment_text(self.words(int(self.posts.topic[post])), rng)


class ServicesWriter:
    """Writes a plan through the site's services, one action at a time."""

    def __init__(self, plan: WorldPlan, progress: Progress | None):
        self.plan = plan
        self.progress = progress or (lambda stage, done, total: None)
        self.rng = random.Random(plan.config.seed)
        self.users: list[User] = []
        self.post_rows: list[Post | None] = []

    def write(self) -> dict:
        first_event = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
        self._accounts()
        group_rows, created = self._groups()
        self._follows(*self.plan.follows, stage="follows")
        self._posts(group_rows)
        events = self._history()
        self._follows(*self.plan.history.follows, stage="follows from liked posts")
        self._backdate(after_event=first_event)
        return {
            "posts": sum(1 for post in self.post_rows if post is not None),
            "follows": len(self.plan.follows[0]) + len(self.plan.history.follows[0]),
            "groups": created,
            "events": events,
        }

    def _accounts(self) -> None:
        plan, bots = self.plan, self.plan.bots
        for i, username in enumerate(plan.usernames):
            with transaction.atomic():
                user = accounts.user_create(
                    username=username,
                    password=bot_password(),
                    display_name=bots.display_name[i],
                    bio=plan.bio(i, self.rng),
                    age_bracket=bots.age_bracket[i],
                    region=bots.region[i],
                    interests=plan.interests(i),
                    is_bot=True,
                )
                avatar = ContentFile(avatar_png(username), name=f"{username}.png")
                accounts.profile_update(user=user, avatar=avatar)
                # the token its sign-up would have given, kept by its app
                token = token_issue(user=user).raw
                BotProfile.objects.create(user=user, api_token=token, **bots.profile(i))
            self.users.append(user)
            self.progress("bots", i + 1, len(plan.usernames))

    def _groups(self) -> tuple[list[Group], int]:
        rows, created = [], 0
        for index, group in enumerate(self.plan.groups):
            topic = self.plan.topics[group.topic]
            existing = topic.groups.order_by("id").first()
            if existing is None:
                existing = social.group_create(
                    owner=self.users[group.owner],
                    name=group.name,
                    description=f"Everything #{topic.hashtags[0]}: {topic.name} talk.",
                )
                topic.groups.add(existing)
                created += 1
            for member in group.members:
                social.group_join(user=self.users[int(member)], group=existing)
            rows.append(existing)
            self.progress("groups", index + 1, len(self.plan.groups))
        return rows, created

    def _follows(self, sources, targets, *, stage: str) -> None:
        for n, (a, b) in enumerate(zip(sources.tolist(), targets.tolist(), strict=True)):
            social.follow_create(follower=self.users[a], followee=self.users[b])
            if n % 50 == 0 or n == len(sources) - 1:
                self.progress(stage, n + 1, len(sources))

    def _posts(self, groups: list[Group]) -> None:
        posts = self.plan.posts
        for i in range(len(posts)):
            group = groups[posts.group[i]] if posts.group[i] >= 0 else None
            post = social.post_create(
                author=self.users[int(posts.author[i])],
                text=self.plan.post_text(i, self.rng),
                group=group,
            )
            PostTruth.objects.create(
                post=post,
                topics=posts.mix(i),
                main_topic=int(posts.topic[i]),
                quality=round(float(posts.quality[i]), 4),
            )
            self.post_rows.append(post)
            self.progress("posts", i + 1, len(posts))

    def _history(self) -> int:
        """Impressions, dwell and clicks through beacon ingestion; likes, shares and
        comments through their services."""
        history, events = self.plan.history, 0
        order = np.argsort(history.bot, kind="stable")
        bounds = np.searchsorted(history.bot[order], np.arange(len(self.users) + 1))
        for bot in range(len(self.users)):
            user = self.users[bot]
            rows = order[bounds[bot] : bounds[bot + 1]]
            items = []
            for row in rows:
                post = self.post_rows[history.post[row]]
                where = {"post": post.pk, "surface": "home", "position": int(history.position[row])}
                key = f"seed-{user.pk}-{row}"
                items.append({"kind": "impression", "key": f"{key}-i", **where})
                if history.dwell_ms[row]:
                    dwell = int(history.dwell_ms[row])
                    items.append({"kind": "dwell", "dwell_ms": dwell, "key": f"{key}-d", **where})
                if history.clicked[row]:
                    items.append({"kind": "click", "key": f"{key}-c", **where})
            for start in range(0, len(items), 200):
                events += events_ingest(
                    user=user,
                    items=items[start : start + 200],
                    visible_post_authors=lambda ids, user=user: visible_post_authors(user, ids),
                    existing_person_ids=lambda ids: set(),
                ).accepted
            for row in rows:
                events += self._react(user, int(history.post[row]), row)
            self.progress("history", bot + 1, len(self.users))
        return events

    def _backdate(self, *, after_event: int) -> None:
        """The services stamp everything now; move each bot's seeded past (its account, posts,
        reactions, follows and events) back by its own random offset within `history_days`,
        so the history reads as the past it stands for: reports of the live run and the
        feeds' "seen in the last day" rule then see the bots' own activity, not the seed."""
        offsets = np.random.default_rng([self.plan.config.seed, 11]).random(len(self.users))
        for bot, user in enumerate(self.users):
            back = timedelta(days=float(offsets[bot]) * self.plan.config.history_days)
            moved = {"created_at": F("created_at") - back}
            User.objects.filter(pk=user.pk).update(date_joined=F("date_joined") - back)
            Event.objects.filter(user=user, id__gt=after_event).update(**moved)
            Post.objects.filter(author=user).update(**moved)
            for table, column in ((Like, "user"), (Share, "user"), (Comment, "author"),
                                 (Follow, "follower"), (Membership, "user")):  # fmt: skip
                table.objects.filter(**{column: user}).update(**moved)
            self.progress("history moved into the past", bot + 1, len(self.users))

    def _react(self, user, post_index: int, row: int) -> int:
        history, post, done = self.plan.history, self.post_rows[post_index], 0
        home = Surface.HOME  # the history is of reactions to the home feed (For you)
        if history.liked[row]:
            done += social.like_create(user=user, post=post, surface=home)
        if history.shared[row]:
            done += social.share_create(user=user, post=post, surface=home)
        if history.commented[row]:
            social.comment_create(
                author=user, post=post, text=self.plan.comment(post_index, self.rng), surface=home
            )
            done += 1
        return int(done)


def world_counts() -> dict:
    """What the world holds now (for seed_world's report and the docs)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM analytics_event")
        events = cursor.fetchone()[0]
    return {
        "topics": Topic.objects.count(),
        "bots": BotProfile.objects.count(),
        "posts by bots": PostTruth.objects.count(),
        "groups": Group.objects.filter(pk__in=Topic.groups.through.objects.values("group_id"))
        .distinct()
        .count(),
        "events (everyone)": events,
    }
