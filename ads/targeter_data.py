"""The ad targeter's data: (person, campaign) pairs from the event log, their features, and
the person x campaign click factors (implicit's ALS).

One example per (person, campaign) pair the person was shown: did they click it? People who
turned personalised ads off, and suspended people, are left out. The features are the ones
serving computes (ads.targeter.feature_matrix): declared interest, the campaign's smoothed
click rate as a prior, the ALS score, and the feed model's topic affinity
(ads.index.campaign_topic_vectors), so what is evaluated is what serves.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from django.conf import settings
from django.db.models import Count, Min, Q

from accounts.models import User
from ads import index
from ads.models import Campaign
from ads.targeter import feature_matrix, logit
from events.models import Event, EventKind
from feeds.training import fit_als

AD_KINDS = (EventKind.AD_IMPRESSION, EventKind.AD_CLICK)
PRIOR_STRENGTH = 20  # pseudo-impressions of the global rate in each campaign's prior


@dataclass
class Pairs:
    """One row per (person, campaign) shown, ordered by first impression."""

    users: np.ndarray
    campaigns: np.ndarray
    first: np.ndarray  # id of the first impression event
    clicks: np.ndarray  # clicks after being shown (0 or more)

    def __len__(self) -> int:
        return len(self.users)

    def take(self, mask) -> "Pairs":
        return Pairs(self.users[mask], self.campaigns[mask], self.first[mask], self.clicks[mask])

    @property
    def clicked(self) -> np.ndarray:
        return self.clicks > 0


def ad_pairs(max_event_id: int) -> Pairs:
    """Aggregate the ad events of people who allow personalised ads (one grouped query)."""
    rows = (
        Event.objects.filter(
            id__lte=max_event_id,
            kind__in=AD_KINDS,
            campaign_id__isnull=False,
            user__is_active=True,
            user__personalised_ads=True,
        )
        .values("user_id", "campaign_id")
        .annotate(
            first=Min("id", filter=Q(kind=EventKind.AD_IMPRESSION)),
            clicks=Count("id", filter=Q(kind=EventKind.AD_CLICK)),
        )
        .filter(first__isnull=False)
        .values_list("user_id", "campaign_id", "first", "clicks")
    )
    data = np.array(list(rows), dtype=np.int64).reshape(-1, 4)
    data = data[np.argsort(data[:, 2], kind="stable")]
    return Pairs(data[:, 0], data[:, 1], data[:, 2], data[:, 3])


def campaign_priors(train: Pairs) -> tuple[dict[int, float], float]:
    """Each campaign's smoothed click rate as a logit, and the global one."""
    rate = float(train.clicked.mean()) if len(train) else settings.ADS_PRIOR_CTR
    priors = {}
    for campaign in np.unique(train.campaigns):
        shown = train.campaigns == campaign
        clicked = float(train.clicked[shown].sum())
        smoothed = (clicked + PRIOR_STRENGTH * rate) / (shown.sum() + PRIOR_STRENGTH)
        priors[int(campaign)] = float(logit(smoothed))
    return priors, float(logit(rate))


def interest_and_topics(pairs: Pairs, feed) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each pair: declared interest in a targeted topic, and the feed model's affinity
    between the person and the campaign's topics (with whether it is known)."""
    campaign_ids = np.unique(pairs.campaigns)
    topics: dict[int, set[str]] = {int(c): set() for c in campaign_ids}
    through = Campaign.topics.through.objects.filter(campaign_id__in=campaign_ids.tolist())
    for campaign_id, name in through.values_list("campaign_id", "hashtag__name"):
        topics[campaign_id].add(name)
    user_ids = np.unique(pairs.users)
    interests = {
        pk: {str(i).lower() for i in (chosen or [])}
        for pk, chosen in User.objects.filter(pk__in=user_ids.tolist()).values_list(
            "id", "interests"
        )
    }
    interest = np.array(
        [
            bool(topics[int(c)] & interests.get(int(u), set()))
            for u, c in zip(pairs.users, pairs.campaigns, strict=True)
        ],
        dtype=np.float64,
    )
    affinity = np.zeros(len(pairs))
    known = np.zeros(len(pairs))
    if feed is not None and len(pairs):
        vocabulary, matrix = index.topic_matrix([sorted(topics[int(c)]) for c in campaign_ids])
        campaign_vectors = index.campaign_topic_vectors(vocabulary, matrix, feed)
        people = index.person_vectors(feed, user_ids)
        by_campaign = np.searchsorted(campaign_ids, pairs.campaigns)
        by_user = np.searchsorted(user_ids, pairs.users)
        affinity = np.einsum("ij,ij->i", people[by_user], campaign_vectors[by_campaign])
        known = (
            (np.abs(people[by_user]).sum(axis=1) > 0)
            & (np.abs(campaign_vectors[by_campaign]).sum(axis=1) > 0)
        ).astype(np.float64)
    return interest, affinity * known, known


class Clicks:
    """A person x campaign click matrix over fixed id maps."""

    def __init__(self, user_ids: np.ndarray, campaign_ids: np.ndarray):
        self.user_ids, self.campaign_ids = user_ids, campaign_ids

    def matrix(self, pairs: Pairs) -> sp.csr_matrix:
        clicked = pairs.take(pairs.clicked)
        rows = np.searchsorted(self.user_ids, clicked.users)
        cols = np.searchsorted(self.campaign_ids, clicked.campaigns)
        shape = (len(self.user_ids), len(self.campaign_ids))
        values = clicked.clicks.astype(np.float32)
        return sp.csr_matrix((values, (rows, cols)), shape=shape)

    def score(self, als, clicks: sp.csr_matrix, pairs: Pairs) -> tuple[np.ndarray, np.ndarray]:
        """(dot product, whether the person had clicks to learn from) for each pair."""
        rows = np.searchsorted(self.user_ids, pairs.users)
        cols = np.searchsorted(self.campaign_ids, pairs.campaigns)
        users = np.asarray(als.user_factors)[rows]
        items = np.asarray(als.item_factors)[cols]
        had_clicks = (np.diff(clicks.indptr)[rows] > 0).astype(np.float64)
        return np.einsum("ij,ij->i", users, items) * had_clicks, had_clicks


def out_of_fold_mf(clicks: Clicks, train: Pairs, config, seed: int):
    """Score each training pair with factors that did not see it."""
    fold = np.random.default_rng(seed).integers(0, 2, size=len(train))
    mf, has_mf = np.zeros(len(train)), np.zeros(len(train))
    for part in (0, 1):
        held = fold == part
        seen = clicks.matrix(train.take(~held))
        als = fit_als(seen, config)
        mf[held], has_mf[held] = clicks.score(als, seen, train.take(held))
    return mf, has_mf


def features(pairs: Pairs, priors: dict, global_prior: float, mf, has_mf, topics) -> np.ndarray:
    interest, affinity, known = topics
    prior = np.array([priors.get(int(c), global_prior) for c in pairs.campaigns])
    return feature_matrix(
        interest=interest, prior=prior, mf=mf, has_mf=has_mf, topic=affinity, has_topic=known
    )
