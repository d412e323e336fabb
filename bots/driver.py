"""The bot driver: many bots using the site over HTTP at once, on a simulated clock.

Simulated time runs `speedup` times faster than real time. Each bot's next session comes after
an exponential wait at its activity rate (sessions per simulated day), slowed by boredom
(bots.behaviour); a bot bored enough stops coming (churn). New bots sign up through the API at
`signups_per_day`. At most `concurrency` sessions run at once and at most `max_rate` start per
real second: when the site cannot keep up, sessions wait, and the summary says so.

Errors never stop the driver: a 429 is waited out or the bot tries later, a site that is down
or restarting is retried with backoff, and everything is counted in the summaries printed every
few seconds. Ctrl-C (or SIGTERM) stops it cleanly: running sessions end at their next request,
and a final summary is printed.
"""

import heapq
import itertools
import logging
import queue
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np
from django.db import close_old_connections, connection

from bots import behaviour, conf, services
from bots.client import Counters, SiteClient, SiteUnavailable, Stopped, multipart, retry_after
from bots.credentials import bot_password
from bots.quality import score_served_versions
from bots.selectors import active_bots, topic_groups
from bots.session import (
    BotState,
    CannotLogIn,
    RateLimitedFor,
    Session,
    TokenRefused,
    World,
)
from bots.truth import topic_space
from bots.world import WorldConfig, draw_bots
from bots.writing import avatar_png, bio

log = logging.getLogger(__name__)
DAY = 86400.0
RETRY_SOON = 5.0  # real seconds before a bot whose session failed tries again
WRONG_SITE_AFTER = 5  # refused logins, with none accepted, that mean the site is another one


class NoWorld(Exception):
    pass


class WrongSite(Exception):
    pass


@dataclass
class DriverOptions:
    url: str
    speedup: float = 100.0
    max_rate: float = 2.0
    concurrency: int = 4
    duration: float = 0.0  # real seconds; 0: until stopped
    sessions: int = 0  # stop after this many sessions; 0: no limit
    signups_per_day: float = 5.0
    seed: int = 0
    summary_every: float = 10.0
    wait: float = 0.0  # seconds to wait for the site to answer at the start
    judge_every: float = 15.0  # seconds between judging new model versions (0: never)

    @classmethod
    def from_settings(cls, **given) -> "DriverOptions":
        defaults = {
            "url": conf.get("BOTS_SITE_URL"),
            "speedup": conf.get("BOTS_SPEEDUP"),
            "max_rate": conf.get("BOTS_MAX_SESSIONS_PER_SECOND"),
            "concurrency": conf.get("BOTS_CONCURRENCY"),
            "signups_per_day": conf.get("BOTS_SIGNUPS_PER_DAY"),
        }
        return cls(**{**defaults, **{k: v for k, v in given.items() if v is not None}})


class Driver:
    def __init__(self, options: DriverOptions, *, write=print):
        self.options = options
        self.write = write
        self.stop_event = threading.Event()
        self.counters = Counters()
        self.client = SiteClient(options.url, counters=self.counters, stop=self.stop_event)
        self.rng = random.Random(options.seed)
        self.lock = threading.Lock()
        self.schedule: list[tuple[float, int, BotState | None]] = []
        self.order = itertools.count()
        self.jobs: queue.Queue = queue.Queue(maxsize=max(1, options.concurrency))
        self.started = 0.0
        self.model_version: int | None = None
        self.signups_paused_until = 0.0  # monotonic time; set by a 429 on sign-up
        self.wrong_site = False

    # --- time ------------------------------------------------------------------------

    def sim_now(self) -> float:
        """Simulated seconds since the start."""
        return (time.monotonic() - self.started) * self.options.speedup

    def _push(self, at: float, bot: BotState | None) -> None:
        with self.lock:
            heapq.heappush(self.schedule, (at, next(self.order), bot))

    def _later(self, bot: BotState, *, real_seconds: float = 0.0) -> None:
        """Schedule the bot's next session: its usual wait, or at least `real_seconds`."""
        wait = DAY * behaviour.next_session_delay_days(
            bot.rates["activity"], bot.satisfaction, self.rng.random()
        )
        self._push(self.sim_now() + max(wait, real_seconds * self.options.speedup), bot)

    # --- running ---------------------------------------------------------------------

    def stop(self) -> None:
        self.stop_event.set()

    def wait_for_site(self) -> None:
        deadline = time.monotonic() + self.options.wait
        while True:
            try:
                if self.client.request("GET", "/livez").ok:
                    return
            except (SiteUnavailable, Stopped):
                pass
            if time.monotonic() >= deadline or self.stop_event.is_set():
                raise SiteUnavailable(f"The site at {self.options.url} does not answer.")
            self.stop_event.wait(2.0)

    def run(self) -> Counter:
        self.wait_for_site()
        self.world = World(
            space=topic_space(), groups_by_topic=topic_groups(), password=bot_password()
        )
        bots = [BotState.from_row(row) for row in active_bots()]
        if not self.world.space.size:
            raise NoWorld("There is no world yet: run `manage.py seed_world` first.")
        self.started = time.monotonic()
        for bot in bots:
            self._later(bot)
        next_signup = self._next_signup(0.0)
        workers = [
            threading.Thread(target=self._work, name=f"bot-{n}", daemon=True)
            for n in range(self.options.concurrency)
        ]
        if self.options.judge_every > 0:
            workers.append(threading.Thread(target=self._judge, name="judge", daemon=True))
        for worker in workers:
            worker.start()
        options = self.options
        self.write(
            f"Driving {len(bots):,} bots at {options.url}: speed-up x{options.speedup:g}, "
            f"{options.concurrency} at once, at most {options.max_rate:g} sessions/s."
        )
        allowance, last, last_summary = 1.0, time.monotonic(), time.monotonic()
        try:
            while not self._finished():
                now = time.monotonic()
                allowance = min(allowance + (now - last) * self.options.max_rate,
                                max(1.0, self.options.max_rate))  # fmt: skip
                last = now
                signup_due = next_signup is not None and self.sim_now() >= next_signup
                signup_due = signup_due and now >= self.signups_paused_until
                if signup_due and self._offer(("signup", None)):
                    next_signup = self._next_signup(self.sim_now())
                while allowance >= 1 and self._due():
                    with self.lock:
                        _, _, bot = heapq.heappop(self.schedule)
                    if not self._offer(("session", bot)):
                        self._push(self.sim_now(), bot)
                        break
                    allowance -= 1
                if now - last_summary >= self.options.summary_every:
                    self.write(self.summary())
                    last_summary = now
                self.stop_event.wait(0.02)
        except KeyboardInterrupt:
            self.write("Stopping: waiting for running sessions to end...")
        finally:
            self.stop_event.set()
            for worker in workers:
                worker.join(timeout=30)
            self.client.end_visit()  # this thread's own connection (its wait for /livez)
            if self.options.judge_every > 0:
                self._judge_now()
            self.write(self.summary(final=True))
        if self.wrong_site:
            raise WrongSite(
                f"The site at {self.options.url} refuses every bot's login: it is not the site "
                "whose database holds this world (check --url and DATABASE_URL)."
            )
        return self.counters.snapshot()

    def _finished(self) -> bool:
        elapsed = time.monotonic() - self.started
        done = self.counters.snapshot()["sessions"]
        return (
            self.stop_event.is_set()
            or (self.options.duration and elapsed >= self.options.duration)
            or (self.options.sessions and done >= self.options.sessions)
        )

    def _due(self) -> bool:
        with self.lock:
            return bool(self.schedule) and self.schedule[0][0] <= self.sim_now()

    def _offer(self, job) -> bool:
        try:
            self.jobs.put(job, timeout=0.05)
            return True
        except queue.Full:
            return False

    def _next_signup(self, now: float) -> float | None:
        rate = self.options.signups_per_day
        if rate <= 0:
            return None
        return now + DAY * -np.log(1 - self.rng.random()) / rate

    def _work(self) -> None:
        try:
            while not self.stop_event.is_set():
                try:
                    kind, bot = self.jobs.get(timeout=0.2)
                except queue.Empty:
                    continue
                close_old_connections()
                if kind == "signup":
                    self._guarded(self._sign_up, None)
                else:
                    self._guarded(self._session, bot)
                self.client.end_visit()
        finally:
            connection.close()

    def _judge(self) -> None:
        """Score each feed version that goes live against the truth while its artifact is
        there (old artifacts are pruned), so the loop report can show every version."""
        try:
            while not self.stop_event.wait(self.options.judge_every):
                close_old_connections()
                self._judge_now()
        finally:
            connection.close()

    def _judge_now(self) -> None:
        try:
            score_served_versions()
        except Exception:
            log.exception("judging model versions failed")

    def _guarded(self, job, bot: BotState | None) -> None:
        """Run a job; whatever goes wrong is counted and the bot tries again later."""
        try:
            job(bot)
            return
        except Stopped:
            return
        except RateLimitedFor as limited:
            self.counters.add("sessions cut short by 429")
            if bot is not None:
                self._later(bot, real_seconds=limited.seconds)
            return
        except CannotLogIn as refused:
            self.counters.add("error: login refused")
            log.warning("bot cannot log in, left out: %s", refused)
            counts = self.counters.snapshot()
            if counts["error: login refused"] >= WRONG_SITE_AFTER and not counts["logins"]:
                # Not one bot could log in: this is not the site whose database holds the
                # world (another server on that port?). Stop before locking anyone out.
                self.wrong_site = True
                self.stop()
            return
        except SiteUnavailable:
            self.counters.add("sessions lost: site unavailable")
        except TokenRefused:
            self.counters.add("error: token refused")
            if bot is not None:
                services.token_forget(user_id=bot.user_id)
        except Exception as error:
            self.counters.add(f"error: {type(error).__name__}")
            log.exception("bot session failed")
        if bot is not None:
            self._later(bot, real_seconds=RETRY_SOON)

    def _session(self, bot: BotState) -> None:
        rng = random.Random(f"{self.options.seed}:{bot.user_id}:{bot.sessions}")
        outcome = Session(bot, self.client, self.world, rng).run()
        self.counters.add("sessions")
        for name, amount in outcome.counts.items():
            self.counters.add(name, amount)
        if outcome.arm:
            for name in ("impressions", "likes"):
                self.counters.add(f"arm {outcome.arm} {name}", outcome.counts.get(name, 0))
        if outcome.model_version:
            self.model_version = max(self.model_version or 0, outcome.model_version)
        if not bot.churned:
            self._later(bot)

    def _sign_up(self, _) -> None:
        """A newcomer: drawn like the seeded bots, signed up through the API."""
        space = self.world.space
        config = WorldConfig(topics=space.size, seed=self.rng.randrange(2**31))
        drawn = draw_bots(1, config, np.random.default_rng(config.seed))
        top = drawn.top_topics(0)
        username = f"{drawn.username_stem[0]}{self.rng.randrange(10_000, 99_999)}"[:30]
        body = {
            "username": username,
            "password": self.world.password,
            "display_name": drawn.display_name[0],
            "bio": bio([space.words[k] for k in top], self.rng),
            "age_bracket": drawn.age_bracket[0],
            "region": drawn.region[0],
            "interests": [space.words[k].hashtags[0] for k in top],
        }
        answer = self.client.request("POST", "/api/auth/signup/", json_body=body, patient=False)
        if answer.status == 429:  # the per-address sign-up limit: no newcomer until it lifts
            self.counters.add("sign-ups delayed by 429")
            self.signups_paused_until = time.monotonic() + retry_after(answer, cap=None)
            return
        if answer.status != 201:
            self.counters.add("sign-ups refused")
            return
        token = answer.data["token"]
        avatar = {"avatar": (f"{username}.png", avatar_png(username), "image/png")}
        content, content_type = multipart({}, avatar)
        self.client.request(
            "PATCH", "/api/me/", token=token, body=content, content_type=content_type
        )
        me = self.client.request("GET", "/api/me/", token=token)
        services.signed_up_bot_register(
            user_id=me.data["id"], profile=drawn.profile(0), token=token
        )
        bot = BotState(
            user_id=me.data["id"],
            username=username,
            taste=drawn.taste[0],
            rates={k: v for k, v in drawn.profile(0).items() if k != "taste"},
            satisfaction=0.3,
            sessions=0,
            token=token,
            followed=set(),
            groups=set(),
        )
        self.counters.add("sign-ups")
        self._push(self.sim_now(), bot)

    # --- reporting -------------------------------------------------------------------

    def summary(self, *, final: bool = False) -> str:
        counts = self.counters.snapshot()
        elapsed = max(time.monotonic() - self.started, 1e-9)
        sessions = counts["sessions"]
        impressions = counts["impressions"]
        with self.lock:
            waiting = sum(1 for at, _, _ in self.schedule if at <= self.sim_now())
        arms = sorted({name.split()[1] for name in counts if name.startswith("arm ")})
        per_arm = ", ".join(
            f"{arm} {counts[f'arm {arm} likes'] / max(counts[f'arm {arm} impressions'], 1):.1%}"
            for arm in arms
        )
        errors = {k[len("error: ") :]: v for k, v in counts.items() if k.startswith("error: ")}
        lines = [
            f"{'Done' if final else 'Bots'} after {elapsed:.0f} s "
            f"(simulated {self.sim_now() / DAY:.2f} days): {sessions:,} sessions "
            f"({sessions / elapsed:.1f}/s), {counts['requests']:,} requests, "
            f"{impressions:,} impressions, {counts['likes']:,} likes, {counts['shares']:,} "
            f"shares, {counts['comments']:,} comments, {counts['follows']:,} follows, "
            f"{counts['posts']:,} posts, {counts['ad clicks']:,} ad clicks, "
            f"{counts['sign-ups']:,} sign-ups, {counts['churned']:,} churned; "
            f"{waiting:,} sessions waiting; model v{self.model_version or '-'}",
        ]
        if per_arm:
            lines.append(f"  likes per impression by arm: {per_arm}")
        if errors:
            lines.append(
                "  errors (counted, not fatal): "
                + ", ".join(f"{name} x{count:g}" for name, count in sorted(errors.items()))
            )
        return "\n".join(lines)
