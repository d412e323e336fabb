"""The shared gate (feeds.gates.judge), clause by clause: each test fails if its clause is
taken out of the gate."""

import pytest

from feeds.gates import Count, Interval, Rules, Scores, judge

RULES = Rules(enabled=True, baseline_lift=1.0, champion_ratio=0.9)
ENOUGH = [Count("clicks", 30, 10), Count("ads shown without a click", 500, 100)]


def verdict(
    *,
    evidence=ENOUGH,
    ours=0.8,
    baseline=0.6,
    champion=None,
    interval=None,
    guards=(),
    rules=RULES,
):
    return judge(
        evidence=evidence,
        main=Scores("AUC", ours, baseline, champion),
        baseline_name="the targeting-only baseline",
        rules=rules,
        champion_version=4 if champion is not None else None,
        interval=interval,
        guards=guards,
    )


def failed(result) -> list[str]:
    return [check.clause for check in result.checks if not check.passed]


def test_a_version_that_passes_every_clause_may_serve():
    result = verdict(
        champion=0.78,
        interval=Interval(0.7, 0.9, chance=0.5),
        guards=(Scores("log-loss", 0.2, 0.3, higher_is_better=False),),
    )
    assert result.passed and result.reason == "" and failed(result) == []
    record = result.as_metrics()
    assert record["enabled"] and record["passed"]
    assert [c["clause"] for c in record["checks"]] == [
        "evidence", "chance", "baseline", "champion", "guard:log-loss",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "counts, words",
    [
        (
            [Count("clicks", 9, 10), Count("ads shown without a click", 500, 100)],
            "at least 10 clicks",
        ),
        (
            [Count("clicks", 30, 10), Count("ads shown without a click", 99, 100)],
            "at least 100 ads shown without a click",
        ),
    ],
)
def test_evidence_each_count_needs_its_minimum(counts, words):
    result = verdict(evidence=counts)
    assert not result.passed and failed(result) == ["evidence"]
    assert result.reason.startswith("Not enough evidence yet: the hold-out has ")
    assert words in result.reason and "judged again when more activity" in result.reason


def test_evidence_at_exactly_the_minimum_is_enough():
    assert verdict(evidence=[Count("clicks", 10, 10)]).passed


def test_an_unmeasurable_metric_is_refused():
    result = verdict(ours=None)
    assert not result.passed and failed(result) == ["measured"]
    assert "AUC could not be measured" in result.reason


def test_chance_the_interval_must_lie_above_what_guessing_scores():
    result = verdict(interval=Interval(0.48, 0.9, chance=0.5))
    assert failed(result) == ["chance"]
    assert (
        "AUC 0.8000 could be luck: its 95% interval, 0.4800 to 0.9000, does not lie above 0.5"
        in result.reason
    )
    assert not verdict(interval=Interval(0.5, 0.9, chance=0.5)).passed
    assert verdict(interval=Interval(0.51, 0.9, chance=0.5)).passed


def test_baseline_must_be_beaten_times_the_lift():
    tie = verdict(ours=0.6, baseline=0.6)
    assert failed(tie) == ["baseline"]
    assert "AUC 0.6000 does not beat the targeting-only baseline's 0.6000" in tie.reason
    lifted = verdict(ours=0.8, baseline=0.6, rules=Rules(True, 1.5, 0.9))
    assert "does not beat 1.5 x the targeting-only baseline's 0.6000" in lifted.reason


def test_champion_the_new_version_must_keep_up_with_the_active_one():
    behind = verdict(ours=0.7, baseline=0.6, champion=0.8)
    assert failed(behind) == ["champion"]
    assert (
        "AUC 0.7000 is below 0.9 x the active version v4's 0.8000 on the same hold-out"
        in behind.reason
    )
    assert verdict(ours=0.73, baseline=0.6, champion=0.8).passed  # above 0.9 x 0.8
    assert verdict(ours=0.7, baseline=0.6, champion=None).passed  # nothing active


def test_champion_for_a_lower_is_better_metric():
    result = judge(
        evidence=ENOUGH,
        main=Scores("log-loss", 0.5, 0.6, 0.4, higher_is_better=False),
        baseline_name="the baseline",
        rules=Rules(True, 1.0, 0.9),
        champion_version=2,
    )
    assert failed(result) == ["champion"]  # 0.5 is worse than 0.4 / 0.9
    assert "worse than 0.9 x the active version v2's 0.4000" in result.reason


def test_guards_secondary_metrics_must_be_no_worse_than_the_baseline():
    worse = verdict(
        guards=(Scores("log-loss", 0.31, 0.3, higher_is_better=False, meaning="it misprices"),)
    )
    assert failed(worse) == ["guard:log-loss"]
    assert "log-loss 0.3100 is worse than the targeting-only baseline's 0.3000: it misprices" in (
        worse.reason
    )
    assert verdict(guards=(Scores("log-loss", 0.3, 0.3, higher_is_better=False),)).passed


def test_every_failed_clause_is_given_as_a_reason():
    result = verdict(evidence=[Count("clicks", 1, 10)], ours=0.5, baseline=0.6)
    assert failed(result) == ["evidence", "baseline"]
    assert "Not enough evidence" in result.reason and "does not beat" in result.reason


def test_a_disabled_gate_passes_and_still_records_what_it_found():
    result = verdict(ours=0.5, baseline=0.6, rules=Rules(False, 1.0, 0.9))
    assert result.passed and result.reason == ""
    record = result.as_metrics()
    assert record["enabled"] is False and record["passed"] is True
    assert [c["passed"] for c in record["checks"]] == [True, False, True]


def test_champion_a_shortfall_within_the_hold_outs_noise_is_not_held_against_it():
    def behind(shortfall):
        return judge(
            evidence=ENOUGH,
            main=Scores("recall@20", 0.30, 0.1, 0.35, shortfall=shortfall),
            baseline_name="the popularity baseline",
            rules=RULES,
            champion_version=4,
        )

    noisy = behind((-0.08, 0.02))  # 0.30 < 0.9 x 0.35, but it could be noise
    assert noisy.passed
    assert "but within its noise (95% interval of the difference -0.0800 to 0.0200)" in (
        noisy.checks[-1].words
    )
    clear = behind((-0.08, -0.01))
    assert failed(clear) == ["champion"]
    assert (
        "is below 0.9 x the active version v4's 0.3500 on the same hold-out, beyond its noise"
        in (clear.reason)
    )
