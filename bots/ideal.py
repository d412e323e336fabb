"""The "ideal" arm: a home feed ordered by the bot's true utility, for bots only.

It is the yardstick of the loop report, as in Chaney, Stewart and Engelhardt (RecSys 2018):
what bots would consume if the recommender knew their tastes exactly, so that homogenisation
and utility under the real arms can be stated relative to it. Nobody but a bot can be in it
(only bots have a true taste), and a bot is in it by a hash of its id, like every arm.

Candidates: visible posts from the last IDEAL_DAYS, the newest IDEAL_PER_TOPIC about each of
the bot's main topics (by the posts' recorded truth) plus the newest IDEAL_FRESH anywhere (so
people's posts, read by their hashtags, compete too), minus its own posts, muted people and
posts shown to it in the last SEEN_HOURS (the same rule the ranked arms follow).

It plugs into the home-feed experiment through feeds.arms (registered in bots/apps.py), so
the site knows nothing of it when the bots are not installed.
"""

from datetime import timedelta

from django.utils import timezone

from bots import conf
from bots.models import BotProfile, PostTruth
from bots.truth import normalised_taste, post_mixes, topic_space, utility
from feeds.candidate_pool import FIELDS, seen_recently
from feeds.experiments import bucket, experiment_salt
from feeds.ranking import SNAPSHOT_SIZE, Candidate, RankedFeed
from social import selectors
from social.models import Mute

IDEAL_ARM = "ideal"
IDEAL_DAYS = 14
IDEAL_PER_TOPIC = 300
IDEAL_FRESH = 300
IDEAL_TOPIC_MASS = 0.9  # the bot's main topics: the fewest that hold this share of its taste
IDEAL_MAX_TOPICS = 5


def in_ideal_arm(user_id: int) -> bool:
    """Whether this bot is in the ideal arm: a stable hash of its id, apart from the
    experiment's own hash so the other arms keep their proportions among the rest."""
    share = float(conf.get("BOTS_IDEAL_SHARE"))
    return share > 0 and bucket(user_id, f"{experiment_salt()}:ideal") < share


def is_member(user) -> bool:
    """The arm's membership for feeds.arms: bots only (only bots have a true taste)."""
    return getattr(user, "is_bot", False) and in_ideal_arm(user.pk)


def main_topics(normalised) -> list[int]:
    order = sorted(range(len(normalised)), key=lambda k: -normalised[k])
    total, chosen = float(sum(normalised)), []
    for topic in order[:IDEAL_MAX_TOPICS]:
        if normalised[topic] <= 0:
            break
        chosen.append(topic)
        if sum(normalised[k] for k in chosen) >= IDEAL_TOPIC_MASS * total:
            break
    return chosen


def rank_ideal(viewer, *, now=None, limit: int = SNAPSHOT_SIZE, visible=None) -> RankedFeed:
    """The bot's feed, best true utility first (see the module's docstring)."""
    now = now or timezone.now()
    taste = BotProfile.objects.filter(user_id=viewer.pk).values_list("taste", flat=True).first()
    if taste is None:
        return RankedFeed(items=[], model_version=None, cold_start=True)
    normalised = normalised_taste(taste)
    base = (
        (selectors.visible_posts(viewer) if visible is None else visible)
        .filter(created_at__gte=now - timedelta(days=IDEAL_DAYS))
        .exclude(author_id=viewer.pk)
        .exclude(author_id__in=Mute.objects.filter(muter=viewer).values("muted_id"))
        .exclude(pk__in=seen_recently(viewer, now))
    )
    rows: dict[int, dict] = {}
    for topic in main_topics(normalised):
        about = PostTruth.objects.filter(main_topic=topic).values("post_id")
        for row in base.filter(pk__in=about).order_by("-id").values(*FIELDS)[:IDEAL_PER_TOPIC]:
            rows[row["id"]] = row
    for row in base.order_by("-id").values(*FIELDS)[:IDEAL_FRESH]:
        rows[row["id"]] = row
    space = topic_space()
    mixes = post_mixes(list(rows), space)
    ranked = []
    for post_id, row in rows.items():
        mix, quality = mixes[post_id]
        score = utility(normalised, mix, quality)
        if score <= 0:
            continue
        main = max(mix, key=mix.get)
        ranked.append(
            Candidate.from_row(
                row,
                score=score,
                source="ideal",
                reason=f"what you truly like: #{space.words[main].hashtags[0]}",
            )
        )
    ranked.sort(key=lambda c: (-c.score, -c.id))
    return RankedFeed(items=ranked[:limit], model_version=None, cold_start=False)
