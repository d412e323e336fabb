"""The closed loop, end to end: seeded bots use the live site over HTTP, a real Celery worker
retrains the feed model from what they do (the data-threshold trigger, at a speed-up) behind
the production quality gate, and the loop report shows that the flywheel turns: versions keep
going live, each at least as good as the one before on one common hold-out.

Seeded random numbers everywhere (the world, the driver, each session), and assertions about
effects that are large by construction, so the test does not flake on timing.
"""

import shutil
import threading
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from bots.driver import Driver, DriverOptions
from bots.ideal import IDEAL_ARM
from bots.report import build_report
from bots.seeding import seed_world
from bots.world import WorldConfig
from feeds import registry, training
from feeds.artifacts import load_factor_model
from feeds.evaluation import (
    RECALL,
    HoldOut,
    Scorer,
    person_recalls,
    recommendations,
    split_holdout,
)
from feeds.experiments import assign
from feeds.gates import paired_interval
from feeds.matrix import MatrixWeights, build_interaction_matrix
from feeds.models import FeedArm, ModelVersion

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# The run is bounded by the bots' work, not by the clock, so a fast machine and a slow one see
# the same loop: 300 bots, a session or two each, against a pool of posts they cannot exhaust
# (ranked feeds never show a post twice in a day, and a simulated month passes in these minutes).
SESSIONS = 600
TIMEOUT_SECONDS = 170
# After the loop, with training stopped, a few more sessions give a hold-out that no version
# saw: the common yardstick of every version that went live.
HOLD_OUT_SESSIONS = 80


class Trigger(threading.Thread):
    """The data-threshold trigger, run every second instead of every minute (beat's pace).
    It also keeps a copy of each version's artifact while it is active, because the worker
    prunes old ones."""

    def __init__(self, keep: Path):
        super().__init__(daemon=True)
        self.stopping = threading.Event()
        self.keep = keep

    def run(self):
        try:
            while not self.stopping.wait(1.0):
                self.keep_active_artifact()
                training.retrain_if_due()
        finally:
            connection.close()

    def keep_active_artifact(self) -> None:
        active = registry.active_version()
        if active is not None and not (self.keep / str(active.pk)).exists():
            shutil.copytree(active.artifact_path, self.keep / str(active.pk))


def recalls_on_a_common_hold_out(versions: list[ModelVersion], kept: Path) -> dict[int, np.ndarray]:
    """Each version's recall@20 per person on the same held-out interactions: what the bots
    did after the newest version's data window (no version saw it; up to all but one of each
    bot's interactions), by the bots whose feed no model shaped (the chronological and ideal
    arms, so the data favours no version), scored the way the gate and serving score."""
    interactions = build_interaction_matrix()
    holdout = split_holdout(
        interactions,
        sample_users=10**6,
        fraction=1.0,
        seed=0,
        weights=MatrixWeights(),
        after_event_id=max(v.max_event_id for v in versions),
    )
    people = User.objects.in_bulk(interactions.user_ids[holdout.rows].tolist())
    unshaped = np.array(
        [
            assign(people[int(u)]).arm in (IDEAL_ARM, control_arm_name())
            for u in interactions.user_ids[holdout.rows]
        ],
        dtype=bool,
    )
    common = HoldOut(train=holdout.train, rows=holdout.rows[unshaped], held=holdout.held[unshaped])
    assert common.held_out >= 100, common.held_out
    return {
        v.pk: person_recalls(
            recommendations(
                Scorer.from_artifact(load_factor_model(kept / str(v.pk)), interactions.post_ids),
                common,
            ),
            common.held,
        )
        for v in versions
    }


def control_arm_name() -> str:
    return FeedArm.objects.get(is_control=True).name


def wait_for_training(timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while registry.running_version() is not None and time.monotonic() < deadline:
        time.sleep(0.5)


@pytest.fixture
def loop_settings(settings):
    settings.FEED_RETRAIN_AFTER_EVENTS = 400  # interaction events since the last version
    settings.FEED_RETRAIN_MIN_INTERVAL = 8  # seconds
    settings.FEED_ALS_FACTORS = 16  # a small world: fewer factors than the default 64
    settings.FEED_ALS_ITERATIONS = 10
    # The quality gate is the production one: FEED_GATE_* keep their defaults.
    settings.BOTS_IDEAL_SHARE = 0.1
    # Two arms to compare (and the ideal yardstick): the diverse and learned arms' bots go to
    # them, so each holds more bots and one unusually keen or idle bot moves its figures less.
    # (No ranker is trained here, so the learned arm would only repeat the personalised one.)
    FeedArm.objects.filter(name__in=["personalised-diverse", "personalised-learned"]).update(
        weight=0
    )
    return settings


def test_the_flywheel_turns(live_server, celery_worker_process, loop_settings, capsys, tmp_path):
    # Sharp tastes and a rich history, so a small model can learn them in seconds.
    world = WorldConfig(
        seed=3, posts_per_bot=6, events_per_bot=400, taste_concentration=0.05, homophily=1.0
    )
    seeded = seed_world(bots=300, config=world, topics=20, method="bulk")
    assert seeded.bots_added == 300
    started = timezone.now()
    trigger = Trigger(keep=tmp_path)
    driver = Driver(
        DriverOptions(
            url=live_server.url,
            speedup=20_000,
            max_rate=50,
            concurrency=4,
            sessions=SESSIONS,
            duration=TIMEOUT_SECONDS,
            signups_per_day=6,
            seed=7,
            summary_every=20,
            judge_every=5,
        )
    )
    trigger.start()
    try:
        counts = driver.run()
    finally:
        trigger.stopping.set()
        trigger.join(timeout=10)
    wait_for_training()
    ended = timezone.now()
    driver._judge_now()
    report = build_report(
        start=started, end=timezone.now() + timedelta(seconds=1), windows=2, sample=100
    )
    with capsys.disabled():
        print("\n".join(report["verdicts"]))

    assert counts["sessions"] >= SESSIONS * 0.75, counts  # all of them, unless the clock ran out
    assert counts["sign-ups"] >= 1

    # The flywheel turns behind the production gate: the bots' own activity trained versions
    # that went live, and they kept going live: at least one in the last third of the run.
    runs = [
        (v.pk, v.state, v.created_at.time(), v.metrics.get("held_out"), v.metrics.get("eval_users"),
         (v.metrics.get("model") or {}).get(RECALL), (v.metrics.get("baseline") or {}).get(RECALL),
         (v.metrics.get("champion") or {}).get(RECALL))
        for v in ModelVersion.objects.order_by("id")
    ]  # fmt: skip
    live = list(ModelVersion.objects.filter(activated_at__isnull=False).order_by("activated_at"))
    learned = [m for m in report["models"] if m["learned_from_this_range"]]
    assert len(learned) >= 2, runs
    last_third = started + (ended - started) * 2 / 3
    assert any(v.activated_at >= last_third for v in live), (last_third, runs)
    assert all(v.metrics["gate"]["enabled"] for v in live)

    # And the active version never got worse: each one that went live, on the same hold-out,
    # keeps at least the gate's share of the one before, and the last beats the first.
    trigger.keep_active_artifact()
    more = Driver(
        DriverOptions(**{**vars(driver.options), "sessions": HOLD_OUT_SESSIONS, "seed": 8})
    )
    assert more.run()["sessions"] >= HOLD_OUT_SESSIONS * 0.75
    recalls = recalls_on_a_common_hold_out(live, tmp_path)
    means = {pk: round(float(r.mean()), 4) for pk, r in recalls.items()}
    last = recalls[live[-1].pk]
    for earlier in live[:-1]:
        # Not clearly worse than any version before it: the paired 95% interval of the
        # difference, over the people, reaches zero or above.
        low, high = paired_interval(lambda a, b: a.mean() - b.mean(), last, recalls[earlier.pk])
        assert high >= 0, (earlier.pk, low, high, means)
    assert last.mean() > recalls[live[0].pk].mean(), means

    # Personalisation pays: likes per impression, personalised over chronological, not noise.
    lift = report["lifts"]["personalised"]["likes_per_impression"]
    assert lift["significant"] and lift["low"] > 0, lift

    # And the models know the bots better as the loop turns: recall@20 against the truth.
    scored = [m for m in report["models"] if m["truth_recall"] is not None]
    assert len(scored) >= 2
    assert scored[-1]["truth_recall"] > scored[0]["truth_recall"], scored

    # What the loop does to the whole, arm against arm. The ideal arm, ordered by true
    # utility, is the yardstick: its bots consume more utility than either other arm's, and
    # see the narrowest mix of topics; a personalised feed narrows the mix (a filter bubble)
    # against the chronological one, though nowhere near the ideal's.
    effects = report["effects"]
    assert {"personalised", "chronological", "ideal"} <= set(effects)
    for arm in ("personalised", "chronological"):
        assert effects["ideal"]["utility"] > effects[arm]["utility"], effects
    entropy = {arm: effects[arm]["topic_entropy"] for arm in effects}
    assert entropy["ideal"] < entropy["personalised"] < entropy["chronological"], entropy
