"""The bulk path of seed_world: a drawn world written with COPY, in one transaction.

The rows are the ones the services would write (accounts, bot profiles, groups and
memberships, follows, posts with their hashtags and true topics, likes, shares, comments, and
an event for every action and every impression and dwell), with the counters computed from
the rows, and the history spread over the past `history_days`. What it leaves out, on
purpose: notifications for the history (nobody was there to read them) and avatar images
(the site draws initials on a colour instead).
"""

import json
import random
import time
from datetime import UTC, datetime

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from accounts.models import User
from accounts.tokens import tokens_issue_many
from bots.copy import reserve_ids, write_arrays, write_rows
from bots.credentials import bot_password
from bots.models import Topic
from events.models import EventKind
from social import services as social
from social.models import Group, Hashtag, Membership
from social.text import hashtags_in
from social.text_html import render_missing

DAY = 86400.0


def write_world(plan, *, progress=None) -> dict:
    progress = progress or (lambda stage, done, total: None)
    writer = _BulkWriter(plan, progress)
    with transaction.atomic():
        writer.write()
        # The commit is where PostgreSQL checks every row's foreign keys (they are deferred):
        # a good share of the time for millions of rows, so it is shown as a stage of its own.
        progress("foreign keys and commit", 0, 1)
    progress("foreign keys and commit", 1, 1)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE accounts_user, social_post, social_follow, social_like, analytics_event"
            )
    return writer.counts


class _BulkWriter:
    def __init__(self, plan, progress):
        self.plan = plan
        self.progress = progress
        self.rng = random.Random(plan.config.seed)
        self.now = time.time()
        self.start = self.now - plan.config.history_days * DAY
        self.counts = {"posts": 0, "follows": 0, "groups": 0, "events": 0}

    def write(self) -> None:
        self.users = self._accounts()
        self.group_ids = self._groups()
        self._follows()
        self.post_ids = self._posts()
        self._history()

    def _events(self, kind: EventKind, users, *, times, on_home: bool = False, **columns) -> None:
        """One event per row: the action's person and time, and its other columns (post,
        target_user, group, dwell_ms, position) as arrays. What was shown (a position) and
        the reactions to it (`on_home`) happened on the home feed, For you."""
        n = len(users)
        types = {"post_id": "int8", "target_user_id": "int8", "group_id": "int8",
                 "dwell_ms": "int4", "position": "int2"}  # fmt: skip
        write_arrays(
            "analytics_event",
            [
                ("kind", "int2", np.full(n, int(kind))),
                ("user_id", "int8", users),
                *[(name, types[name], values) for name, values in columns.items()],
                ("surface", "text", "home" if on_home or "position" in columns else ""),
                ("arm", "text", ""),
                ("query", "text", ""),
                ("created_at", "time", times),
            ],
            n,
        )
        self.counts["events"] += n

    def _accounts(self) -> np.ndarray:
        plan, bots = self.plan, self.plan.bots
        n = len(bots)
        ids = reserve_ids("accounts_user", n)
        joined = self.start - self._uniform(n) * DAY
        password = make_password(bot_password())  # one hash: every bot has the same password
        moments = [datetime.fromtimestamp(t, UTC) for t in joined.tolist()]
        self.progress("bots", 0, n)
        write_rows(
            "accounts_user",
            ["id", "password", "is_superuser", "username", "first_name", "last_name", "is_staff",
             "is_active", "date_joined", "email", "display_name", "bio", "avatar", "age_bracket",
             "region", "interests", "is_bot", "personalised_feed", "personalised_ads"],
            (
                (int(ids[i]), password, False, plan.usernames[i], "", "", False, True, moments[i],
                 "", bots.display_name[i], plan.bio(i, self.rng), "", bots.age_bracket[i],
                 bots.region[i], json.dumps(plan.interests(i)), True, True, True)
                for i in range(n)
            ),
        )  # fmt: skip
        # Each bot holds the token it would have got at sign-up, as a signed-up bot does.
        tokens = tokens_issue_many(int(pk) for pk in ids)
        profiles = (bots.profile(i) for i in range(n))
        fields = ["taste", *[name for name in bots.profile(0) if name != "taste"]] if n else []
        write_rows(
            "bots_botprofile",
            ["user_id", *fields, "origin", "satisfaction", "sessions", "api_token"],
            (
                (int(ids[i]), json.dumps(p["taste"]), *[p[f] for f in fields[1:]], "seed", 0.3, 0,
                 tokens[int(ids[i])])
                for i, p in enumerate(profiles)
            ),
        )  # fmt: skip
        self._events(EventKind.SIGNUP, ids, times=joined)
        self.progress("bots", n, n)
        return ids

    def _uniform(self, n: int) -> np.ndarray:
        return np.random.default_rng([self.plan.config.seed, n, 7]).random(n)

    def _groups(self) -> np.ndarray:
        """Groups through the service (a few hundred at most), memberships with COPY."""
        plan, ids, created = self.plan, [], 0
        for index, group in enumerate(plan.groups):
            topic: Topic = plan.topics[group.topic]
            owner = User.objects.get(pk=int(self.users[group.owner]))
            row = social.group_create(
                owner=owner,
                name=group.name,
                description=f"Everything #{topic.hashtags[0]}: {topic.name} talk.",
            )
            topic.groups.add(row)
            ids.append(row.pk)
            created += 1
            self.progress("groups", index + 1, len(plan.groups))
        self.counts["groups"] = created
        group_of = np.concatenate([np.full(len(g.members), i) for i, g in enumerate(plan.groups)])
        members = np.concatenate([g.members for g in plan.groups]).astype(np.int64)
        owners = np.array([g.owner for g in plan.groups], dtype=np.int64)
        keep = members != owners[group_of]  # the service made the owners members already
        group_ids = np.asarray(ids, dtype=np.int64)
        joined = self.start + self._uniform(int(keep.sum())) * DAY * 0.5
        users, groups = self.users[members[keep]], group_ids[group_of[keep]]
        write_arrays(
            "social_membership",
            [("role", "text", Membership.Role.MEMBER), ("state", "text", Membership.State.ACTIVE),
             ("created_at", "time", joined), ("group_id", "int8", groups),
             ("user_id", "int8", users)],
            len(users),
        )  # fmt: skip
        self._events(EventKind.GROUP_JOIN, users, times=joined, group_id=groups)
        Group.objects.filter(pk__in=ids).update(
            member_count=Coalesce(
                Subquery(
                    Membership.objects.filter(group=OuterRef("pk"), state="active")
                    .values("group")
                    .annotate(n=Count("id"))
                    .values("n")
                ),
                0,
            )
        )
        return group_ids

    def _follows(self) -> None:
        plan = self.plan
        sources, targets = plan.follows
        later_sources, later_targets = plan.history.follows
        first = self.start + self._uniform(len(sources)) * DAY * 0.5
        later = self.now - self._uniform(len(later_sources)) * DAY * plan.config.history_days
        followers = self.users[np.concatenate([sources, later_sources]).astype(np.int64)]
        followees = self.users[np.concatenate([targets, later_targets]).astype(np.int64)]
        times = np.concatenate([first, later])
        self.progress("follows", 0, len(followers))
        write_arrays(
            "social_follow",
            [("created_at", "time", times), ("followee_id", "int8", followees),
             ("follower_id", "int8", followers)],
            len(followers),
        )  # fmt: skip
        self._events(EventKind.FOLLOW, followers, times=times, target_user_id=followees)
        self.counts["follows"] = len(followers)
        self.progress("follows", len(followers), len(followers))

    def _posts(self) -> np.ndarray:
        plan, posts, history = self.plan, self.plan.posts, self.plan.history
        n = len(posts)
        ids = reserve_ids("social_post", n)
        created = self.now - posts.days_ago * DAY
        likes = np.bincount(history.post[history.liked], minlength=n)
        shares = np.bincount(history.post[history.shared], minlength=n)
        comments = np.bincount(history.post[history.commented], minlength=n)
        texts = []
        for i in range(n):
            texts.append(plan.post_text(i, self.rng))
            if i % 20000 == 0:
                self.progress("posts", i, n)
        group_ids = np.where(posts.group >= 0, self.group_ids[np.maximum(posts.group, 0)], 0)
        moments = [datetime.fromtimestamp(t, UTC) for t in created.tolist()]
        write_rows(
            "social_post",
            ["id", "text", "image", "created_at", "is_hidden", "like_count", "share_count",
             "comment_count", "author_id", "group_id"],
            (
                (int(ids[i]), texts[i], "", moments[i], False, int(likes[i]), int(shares[i]),
                 int(comments[i]), int(self.users[posts.author[i]]),
                 int(group_ids[i]) if posts.group[i] >= 0 else None)
                for i in range(n)
            ),
        )  # fmt: skip
        write_rows(
            "bots_posttruth",
            ["post_id", "topics", "main_topic", "quality"],
            (
                (int(ids[i]), json.dumps(posts.mix(i)), int(posts.topic[i]),
                 round(float(posts.quality[i]), 4))
                for i in range(n)
            ),
        )  # fmt: skip
        self._hashtags(ids, texts)
        # Kept rendered as the services keep a post they write (social.text_html).
        render_missing(progress=lambda done: self.progress("posts' text as HTML", done, n))
        authors = self.users[posts.author]
        in_group = posts.group >= 0
        self._events(EventKind.POST, authors[~in_group], times=created[~in_group],
                     post_id=ids[~in_group])  # fmt: skip
        self._events(EventKind.POST, authors[in_group], times=created[in_group],
                     post_id=ids[in_group], group_id=group_ids[in_group])  # fmt: skip
        self.counts["posts"] = n
        self.progress("posts", n, n)
        return ids

    def _hashtags(self, post_ids: np.ndarray, texts: list[str]) -> None:
        names = [hashtags_in(text) for text in texts]
        every = sorted({name for found in names for name in found})
        Hashtag.objects.bulk_create([Hashtag(name=n) for n in every], ignore_conflicts=True)
        known = dict(Hashtag.objects.filter(name__in=every).values_list("name", "id"))
        pairs = [(int(post_ids[i]), known[name]) for i, found in enumerate(names) for name in found]
        pairs_array = np.array(pairs, dtype=np.int64).reshape(-1, 2)
        write_arrays(
            "social_post_hashtags",
            [("post_id", "int8", pairs_array[:, 0]), ("hashtag_id", "int8", pairs_array[:, 1])],
            len(pairs_array),
        )

    def _history(self) -> None:
        history = self.plan.history
        m = len(history)
        users = self.users[history.bot]
        posts = self.post_ids[history.post]
        seen = self.now - history.days_ago * DAY
        self.progress("history", 0, m)
        self._events(EventKind.IMPRESSION, users, times=seen, post_id=posts,
                     position=history.position)  # fmt: skip
        self.progress("history", m // 2, m)
        read = history.dwell_ms > 0
        self._events(EventKind.DWELL, users[read], times=seen[read] + 1, post_id=posts[read],
                     position=history.position[read], dwell_ms=history.dwell_ms[read])  # fmt: skip
        clicked = history.clicked
        self._events(EventKind.CLICK, users[clicked], times=seen[clicked] + 2,
                     post_id=posts[clicked], position=history.position[clicked])  # fmt: skip
        for mask, table, kind in (
            (history.liked, "social_like", EventKind.LIKE),
            (history.shared, "social_share", EventKind.SHARE),
        ):
            columns = [("created_at", "time", seen[mask] + 3), ("user_id", "int8", users[mask]),
                       ("post_id", "int8", posts[mask])]  # fmt: skip
            if table == "social_share":
                columns.append(("comment", "text", ""))
            write_arrays(table, columns, int(mask.sum()))
            self._events(kind, users[mask], times=seen[mask] + 3, on_home=True, post_id=posts[mask])
        commented = np.flatnonzero(history.commented)
        moments = seen[commented] + 4
        write_rows(
            "social_comment",
            ["text", "created_at", "is_hidden", "author_id", "post_id"],
            (
                (self.plan.comment(int(history.post[row]), self.rng),
                 datetime.fromtimestamp(moment, UTC), False,
                 int(users[row]), int(posts[row]))
                for row, moment in zip(commented.tolist(), moments.tolist(), strict=True)
            ),
        )  # fmt: skip
        self._events(EventKind.COMMENT, users[commented], times=moments, on_home=True,
                     post_id=posts[commented])  # fmt: skip
        self.progress("history", m, m)
