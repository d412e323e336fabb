"""The auction: rank by bid x predicted click probability (eCPM), a reserve, one campaign per
advertiser, and the generalised second price: never above the bid."""

import numpy as np
import pytest

from ads.auction import impression_charge, ranks, run_slot, second_price

RESERVE = 500_000.0  # $0.50 per thousand impressions


def slot(bids, cpc, p, advertisers=None, eligible=None, reserve=RESERVE):
    n = len(bids)
    return run_slot(
        bids=np.array(bids, dtype=np.int64),
        cpc=np.array(cpc, dtype=bool),
        p_click=np.array(p, dtype=np.float64),
        advertisers=np.array(advertisers or list(range(n)), dtype=np.int64),
        ids=np.arange(1, n + 1, dtype=np.int64),
        eligible=np.ones(n, dtype=bool) if eligible is None else np.array(eligible),
        reserve=reserve,
    )


def test_a_cpc_bid_ranks_by_its_expected_value_per_thousand_impressions():
    assert list(ranks(np.array([1_000_000, 3_000_000]), np.array([True, False]), [0.02, 0.9])) == [
        20_000_000.0,
        3_000_000.0,
    ]


def test_the_winner_pays_what_beats_the_runner_up_not_its_bid():
    # A: $1 per click at 2% -> $20 eCPM. B: $0.50 per click at 2% -> $10 eCPM.
    result = slot([1_000_000, 500_000], [True, True], [0.02, 0.02])
    assert result.row == 0
    assert result.price_micros == 500_000  # B's rank / A's quality: $10 / 20 = $0.50
    assert result.runner_up_rank == 10_000_000.0


def test_relevance_beats_money():
    """A smaller bid with a much better click probability wins, and pays less than its bid."""
    result = slot([1_000_000, 400_000], [True, True], [0.01, 0.05])
    assert result.row == 1  # $20 eCPM against $10
    assert result.price_micros == 200_000  # $10 / (0.05 x 1000)
    assert result.price_micros < 400_000


def test_alone_in_the_auction_the_winner_pays_the_reserve():
    result = slot([1_000_000], [True], [0.02])
    assert result.price_micros == 25_000  # $0.50 / (0.02 x 1000), not the $1 bid


def test_below_the_reserve_nobody_wins():
    assert slot([10_000], [True], [0.01]) is None  # $0.10 eCPM
    assert slot([400_000], [False], [0.5]) is None  # a $0.40 CPM bid


def test_the_price_is_never_above_the_bid():
    rng = np.random.default_rng(7)
    for _ in range(500):
        n = int(rng.integers(1, 8))
        bids = rng.integers(10_000, 5_000_000, size=n)
        cpc = rng.random(n) < 0.5
        p = rng.uniform(0.0001, 0.3, size=n)
        result = slot(bids.tolist(), cpc.tolist(), p.tolist(), reserve=float(rng.integers(0, 2e6)))
        if result is not None:
            assert 1 <= result.price_micros <= bids[result.row]


def test_an_advertiser_never_sets_its_own_price():
    """Only an advertiser's best campaign competes: its second campaign is not the runner-up."""
    result = slot([2_000_000, 1_900_000, 500_000], [False] * 3, [0.1] * 3, advertisers=[7, 7, 9])
    assert result.row == 0
    assert result.price_micros == 500_000  # the other advertiser's bid, not its own $1.90


def test_ties_go_to_the_older_campaign():
    assert slot([1_000_000, 1_000_000], [False, False], [0.1, 0.1]).row == 0


def test_ineligible_campaigns_neither_win_nor_set_the_price():
    result = slot([3_000_000, 2_000_000, 1_000_000], [False] * 3, [0.1] * 3, eligible=[0, 1, 1])
    assert result.row == 1 and result.price_micros == 1_000_000


def test_second_price_rounds_up_to_a_micro_and_caps_at_the_bid():
    assert second_price(bid=100, cpc=True, p_click=0.03, beaten_rank=1000.0) == 34
    assert second_price(bid=20, cpc=True, p_click=0.03, beaten_rank=1000.0) == 20


@pytest.mark.parametrize(
    ("per_thousand", "per_impression"), [(2_000_000, 2_000), (1_999, 1), (500, 1)]
)
def test_a_cpm_impression_costs_a_thousandth_rounded_down(per_thousand, per_impression):
    assert impression_charge(per_thousand) == per_impression
