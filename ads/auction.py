"""The auction for one sponsored slot: generalised second price with a reserve.

Every eligible campaign has a rank: its expected revenue per thousand impressions (eCPM).
A cost-per-click bid is worth bid x predicted click probability per impression; a
per-thousand bid is worth itself:

    rank = bid x p(click) x 1000    (CPC)
    rank = bid                      (CPM)

Campaigns ranked below the reserve do not take part. Each advertiser competes with its best
campaign only (its other campaigns must not set its own price). The winner pays the least
bid that would still have kept its place: the runner-up's rank (or the reserve, if higher),
turned back into the winner's own unit, rounded up to a whole micro and never more than its
bid.

Pure functions on numpy arrays: no database, easy to test and fast enough for 1,000
campaigns in well under a millisecond.
"""

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SlotResult:
    row: int  # the winner's row in the arrays given
    price_micros: int  # per click (CPC) or per thousand impressions (CPM)
    rank: float
    runner_up_rank: float | None


def ranks(bids: np.ndarray, cpc: np.ndarray, p_click: np.ndarray) -> np.ndarray:
    """eCPM in micros per thousand impressions."""
    bids = np.asarray(bids, dtype=np.float64)
    return np.where(cpc, bids * np.asarray(p_click, dtype=np.float64) * 1000.0, bids)


def second_price(*, bid: int, cpc: bool, p_click: float, beaten_rank: float) -> int:
    """The winner's price per unit: the rank it had to beat, in its own unit, never above
    its bid and never below one micro."""
    quality = p_click * 1000.0 if cpc else 1.0
    if quality <= 0:
        return int(bid)
    price = math.ceil(beaten_rank / quality - 1e-9)
    return int(min(max(price, 1), bid))


def run_slot(
    *,
    bids: np.ndarray,
    cpc: np.ndarray,
    p_click: np.ndarray,
    advertisers: np.ndarray,
    ids: np.ndarray,
    eligible: np.ndarray,
    reserve: float,
) -> SlotResult | None:
    """The winner of one slot among the `eligible` rows, and its price; None if nobody
    reaches the reserve."""
    rank = ranks(bids, cpc, p_click)
    taking_part = np.flatnonzero(eligible & (rank >= reserve))
    if not len(taking_part):
        return None
    # Highest rank first; ties go to the older campaign (lower id), deterministically.
    order = taking_part[np.lexsort((ids[taking_part], -rank[taking_part]))]
    _, first = np.unique(advertisers[order], return_index=True)
    best_per_advertiser = order[np.sort(first)]
    winner = int(best_per_advertiser[0])
    runner_up = float(rank[best_per_advertiser[1]]) if len(best_per_advertiser) > 1 else None
    beaten = max(reserve, runner_up) if runner_up is not None else reserve
    price = second_price(
        bid=int(bids[winner]), cpc=bool(cpc[winner]), p_click=float(p_click[winner]),
        beaten_rank=beaten,
    )  # fmt: skip
    return SlotResult(
        row=winner, price_micros=price, rank=float(rank[winner]), runner_up_rank=runner_up
    )


def impression_charge(price_per_thousand: int) -> int:
    """A CPM winner pays a thousandth of its price per impression, rounded down (never
    above the bid), and at least one micro."""
    return max(1, int(price_per_thousand) // 1000)
