"""The ad targeter's gate in real training runs: enough clicks and non-clicks held out, an AUC
whose 95% interval lies above 0.5, the targeting-only baseline beaten, the active version
scored again on the same held-out pairs and not clearly better, and log-loss no worse than
the baseline's. Each test fails if its clause is taken out."""

import numpy as np
import pytest

from ads import evaluation, training
from ads.targeter_data import ad_pairs
from feeds import registry
from feeds.artifacts import load_factor_model
from feeds.gates import Rules
from feeds.models import ModelKind, ModelVersion
from tests.ads.targeter_world import add_campaigns, make_click_world
from tests.ads.test_targeter import train

pytestmark = pytest.mark.django_db
State = ModelVersion.State
KIND = ModelKind.AD_TARGETER


def clauses(version: ModelVersion) -> dict[str, bool]:
    return {check["clause"]: check["passed"] for check in version.metrics["gate"]["checks"]}


def test_every_clause_is_checked_and_recorded():
    make_click_world()
    version = train()
    assert version.state == State.ACTIVE, version.reason
    assert clauses(version) == {
        "evidence": True, "chance": True, "baseline": True, "champion": True,
        "guard:log_loss": True,
    }  # fmt: skip
    model = version.metrics["model"]
    assert 0.5 < model["auc_low"] < model["auc"] < model["auc_high"] <= 1
    assert version.metrics["holdout"]["after_event_id"] == 0
    assert version.metrics["holdout"]["pairs"] == version.metrics["eval_pairs"]


def test_evidence_too_few_held_out_clicks(settings):
    make_click_world()
    settings.ADS_GATE_MIN_CLICKS = 1000
    version = train()
    assert version.state == State.REJECTED and clauses(version)["evidence"] is False
    assert "a version needs at least 1,000 clicks before it can be judged" in version.reason
    assert registry.active_version(KIND) is None


def test_evidence_too_few_held_out_ads_without_a_click(settings):
    make_click_world()
    settings.ADS_GATE_MIN_NON_CLICKS = 1000
    version = train()
    assert version.state == State.REJECTED
    assert "at least 1,000 ads shown without a click" in version.reason


def test_chance_an_auc_that_could_be_luck_does_not_serve():
    # Clicks have nothing to do with taste: whatever AUC the hold-out shows is luck.
    make_click_world(own=0.25, other=0.25, seed=9)
    version = train(gate_baseline_lift=0)
    assert version.state == State.REJECTED
    model = version.metrics["model"]
    assert model["auc_low"] <= 0.5 and clauses(version)["chance"] is False
    assert "could be luck: its 95% interval" in version.reason
    assert "does not lie above 0.5, what guessing would score" in version.reason


def test_the_active_version_is_scored_again_on_the_same_held_out_pairs():
    world = make_click_world()
    first = train()
    # An inflated stored figure must not block the next version (the loop stalled on that).
    first.metrics["model"]["auc"] = 0.999
    first.save(update_fields=["metrics"])
    new = add_campaigns(world)

    second = train()

    assert second.state == State.ACTIVE, second.reason
    champion = second.metrics["champion"]
    assert champion["version"] == first.pk and 0.5 < champion["auc"] < 0.999
    low, high = champion["shortfall"]  # of (new AUC - 0.95 x active AUC), over the pairs
    assert low < second.metrics["model"]["auc"] - 0.95 * champion["auc"] < high
    holdout = second.metrics["holdout"]
    assert holdout["after_event_id"] == first.max_event_id
    assert holdout["first_event_id"] > first.max_event_id  # nothing v1 learnt from
    pairs = ad_pairs(second.max_event_id)
    held = pairs.take(np.arange(len(pairs)) >= round(len(pairs) * 0.8))
    assert second.metrics["eval_pairs"] == len(held)
    new_ids = {c.pk for topic in new.values() for c in topic}
    assert set(held.campaigns.tolist()) <= new_ids  # campaigns v1 never saw: its global prior


def test_champion_a_version_clearly_behind_the_active_one_is_rejected():
    world = make_click_world()
    first = train()
    add_campaigns(world)

    second = train(gate_active_ratio=2)

    assert second.state == State.REJECTED and clauses(second)["champion"] is False
    champion = second.metrics["champion"]["auc"]
    assert f"is below 2 x the active version v{first.pk}'s {champion:.4f} on the same" in (
        second.reason
    )
    assert "beyond its noise (95% interval of the difference" in second.reason
    assert registry.active_version(KIND) == first


def test_the_champion_is_scored_with_its_own_priors_and_click_factors():
    world = make_click_world()
    first = train()
    model = load_factor_model(first.artifact_path)
    pairs = ad_pairs(first.max_event_id)
    features = np.zeros((len(pairs), 7))
    features[:, 0] = 1.0
    probabilities = evaluation.champion_probabilities(model, pairs, features)
    # With no other feature, a pair's score is the bias, its campaign's prior and the
    # person's click factors dotted with the campaign's: what serving computes.
    coefficients = np.asarray(model.meta["coefficients"])
    person, campaign = int(pairs.users[0]), int(pairs.campaigns[0])
    row, col = model.user_row(person), model.post_col(campaign)
    mf = float(np.dot(model.user_factors[row], model.item_factors[col]))
    prior = model.meta["campaign_prior"][str(campaign)]
    expected = coefficients[0] + coefficients[2] * prior + coefficients[3] * mf
    expected += coefficients[4] * (1.0 if np.abs(model.user_factors[row]).sum() > 0 else 0.0)
    assert probabilities[0] == pytest.approx(1 / (1 + np.exp(-expected)))
    assert len(world.campaigns["jazz"]) == 3


def test_guard_log_loss_no_worse_than_the_baseline_is_part_of_the_gate():
    metrics = {
        "eval_pairs": 300,
        "held_out_clicks": 30,
        "model": {"auc": 0.8, "auc_low": 0.7, "auc_high": 0.9, "log_loss": 0.35},
        "baseline": {"auc": 0.6, "log_loss": 0.3},
        "champion": None,
    }
    verdict = evaluation.quality_gate(
        metrics,
        rules=Rules.of(training.TargeterConfig.from_settings()),
        min_clicks=10,
        min_non_clicks=100,
    )
    assert not verdict.passed
    assert verdict.reason == (
        "log_loss 0.3500 is worse than the targeting-only baseline's 0.3000: its click "
        "probabilities are less honest, which would misprice the auction."
    )


def test_the_hold_out_never_holds_a_pair_the_active_version_learnt_from():
    pairs = ad_pairs(0)  # empty: give it ten pairs first shown at events 1 to 10
    pairs.first = np.arange(1, 11)
    pairs.users = pairs.campaigns = pairs.clicks = np.zeros(10, dtype=np.int64)
    assert training.holdout_start(pairs, 0.5, None) == 5  # the newest half
    assert training.holdout_start(pairs, 0.5, ModelVersion(max_event_id=7)) == 7  # it saw 1 to 7
    assert training.holdout_start(pairs, 0.5, ModelVersion(max_event_id=3)) == 5
