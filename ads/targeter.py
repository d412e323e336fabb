"""The ad targeter at serving time: the click probability of a person for each campaign.

A logistic model over a few features of (person, campaign), the same features training
computes (ads.training), so what was evaluated is what serves:

- interest: the campaign targets a topic the person declared;
- prior: the campaign's own smoothed click-through rate, as a logit (the global rate for a
  campaign the model has not seen: the cold-start estimate);
- mf, has_mf: the dot product of the person's and the campaign's factors from implicit's ALS
  over person x campaign clicks (0 for people who never clicked an ad);
- topic, has_topic: the cosine between the person's taste and the campaign's topics in the
  feed model's space (the person x topic affinity the feed model knows).

Before any targeter is trained, COLD_START coefficients give a prior from the targeting
alone. People who turned personalised ads off get only the campaign's prior: none of their
own features is used.
"""

from dataclasses import dataclass

import numpy as np
from django.conf import settings

from ads.index import CampaignIndex
from ads.targeting import Audience, Matches
from feeds import serving
from feeds.models import ModelKind

FEATURES = ("bias", "interest", "prior", "mf", "has_mf", "topic", "has_topic")
BASELINE_FEATURES = ("bias", "interest", "prior")  # targeting only: no person model
COLD_START = np.array([0.0, 0.7, 1.0, 0.0, 0.0, 1.5, 0.0])


def logit(p):
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


def feature_matrix(*, interest, prior, mf, has_mf, topic, has_topic) -> np.ndarray:
    """One row per (person, campaign), columns as FEATURES."""
    prior = np.asarray(prior, dtype=np.float64)
    columns = [np.ones_like(prior), interest, prior, mf, has_mf, topic, has_topic]
    return np.column_stack([np.asarray(c, dtype=np.float64) for c in columns])


def baseline_columns() -> list[int]:
    return [FEATURES.index(name) for name in BASELINE_FEATURES]


@dataclass
class Prediction:
    p_click: np.ndarray
    version_id: int | None  # the targeter version that predicted (None: the cold-start prior)


def campaign_priors(meta: dict, campaign_ids: np.ndarray) -> np.ndarray:
    """The logit prior of each campaign; the global one for campaigns the model never saw."""
    known = meta.get("campaign_prior", {})
    fallback = float(meta.get("global_prior", logit(settings.ADS_PRIOR_CTR)))
    return np.array([known.get(str(int(pk)), fallback) for pk in campaign_ids], dtype=np.float64)


def mf_scores(model, person_id: int, campaign_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(score, known) of the person for each campaign from the person x campaign factors."""
    scores = np.zeros(len(campaign_ids), dtype=np.float64)
    known = np.zeros(len(campaign_ids), dtype=np.float64)
    row = model.user_row(person_id)
    if row is None or not len(model.post_ids):
        return scores, known
    person = np.asarray(model.user_factors[row], dtype=np.float64)
    if not person.any():
        return scores, known
    cols = np.searchsorted(model.post_ids, campaign_ids)
    cols = np.minimum(cols, len(model.post_ids) - 1)
    present = np.asarray(model.post_ids)[cols] == campaign_ids
    if present.any():
        factors = np.asarray(model.item_factors[cols[present]], dtype=np.float64)
        scores[present] = factors @ person
        known[present] = 1.0
    return scores, known


_priors: dict[tuple, np.ndarray] = {}


def index_priors(index: CampaignIndex, served) -> np.ndarray:
    """Each index row's prior under this targeter, computed once per index and version."""
    key = (index.token, index.day, served.version_id if served is not None else None)
    if key not in _priors:
        _priors.clear()
        _priors[key] = campaign_priors(served.model.meta if served else {}, index.ids)
    return _priors[key]


_UNSET = object()


def predict(
    index: CampaignIndex, rows, audience: Audience, matches: Matches, served=_UNSET
) -> Prediction:
    """Click probabilities for the campaigns at `rows` of the index. `served` is the active
    targeter (feeds.serving.ServedModel, or None for the cold-start prior); looked up when
    not given."""
    if served is _UNSET:
        served = serving.current_model(ModelKind.AD_TARGETER)
    rows = np.asarray(rows, dtype=np.int64)
    campaign_ids = index.ids[rows]
    meta = served.model.meta if served is not None else {}
    coefficients = np.asarray(meta.get("coefficients", COLD_START), dtype=np.float64)
    prior = index_priors(index, served)[rows]
    n = len(rows)
    zeros = np.zeros(n, dtype=np.float64)
    if not audience.personalised:
        features = feature_matrix(
            interest=zeros, prior=prior, mf=zeros, has_mf=zeros, topic=zeros, has_topic=zeros
        )
    else:
        mf, has_mf = (
            mf_scores(served.model, audience.person_id, campaign_ids)
            if served is not None
            else (zeros, zeros)
        )
        has_topic = zeros
        if audience.feed_vector is not None and index.topic_vectors is not None:
            has_topic = (np.abs(index.topic_vectors[rows]).sum(axis=1) > 0).astype(np.float64)
        features = feature_matrix(
            interest=matches.declared[rows],
            prior=prior,
            mf=mf,
            has_mf=has_mf,
            topic=matches.model_affinity[rows] * has_topic,
            has_topic=has_topic,
        )
    return Prediction(
        p_click=sigmoid(features @ coefficients),
        version_id=served.version_id if served is not None else None,
    )
