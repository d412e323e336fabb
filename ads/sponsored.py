"""Filling sponsored slots, recording impressions and clicks.

For each slot of a page: the campaigns the targeting allows (ads.targeting), with budget left
today and in total and behind their pacing line (ads.pacing), ranked by bid x predicted click
probability (ads.targeter) in a second-price auction with a reserve (ads.auction). The winner
is recorded at once, server-side, in one transaction: an AD_IMPRESSION event (campaign,
surface, position, arm, model version), the day's impression count and, for a per-thousand
bid, the charge (ads.billing). If the database refuses the charge (another process spent the
last of the budget a moment ago) the slot goes to the next campaign.

Each impression keeps what a click on it may do (ads.models.AdImpression: the price per click
the auction set, never above the bid, and the link approved when it was served); the click
link only names the impression and the person (ads.clicks).
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ads import auction, billing, pacing, targeter, targeting
from ads.clicks import click_token
from ads.index import current_index, recent, serving_refresh_seconds, serving_token
from ads.models import AdImpression, LedgerEntry
from events.models import EventKind
from events.services import event_record
from feeds import serving
from feeds.models import ModelKind

log = logging.getLogger(__name__)
MAX_TRIES_PER_SLOT = 5


@dataclass
class Sponsored:
    """One ad shown in one slot."""

    template_name: ClassVar[str] = "ads/_sponsored_card.html"  # its card in the home feed
    position: int  # the slot's position in the feed's layout (what the impression records)
    campaign_id: int
    creative_id: int
    advertiser_id: int
    advertiser_name: str
    headline: str
    text: str
    link: str
    image: str  # storage name, "" for none
    topics: list[str]
    why: str
    click_token: str
    event_id: int
    index: int = 0  # where in the page's list of posts it is shown (before that post)
    extra: dict = field(default_factory=dict)


@dataclass
class Pick:
    """A slot's winner: its row in the index, price per unit and predicted click rate."""

    row: int
    price_micros: int
    p_click: float


class PageAuction:
    """The auctions of one page's slots. Everything a slot's auction needs is read once per
    page (the index, the person, the budgets, the predictions); each slot then costs only
    arithmetic. `open` returns None when no campaign may serve this person now."""

    def __init__(self, index, audience, matches, rows, budgets, prediction, now):
        self.index, self.audience, self.matches, self.now = index, audience, matches, now
        self.rows = rows
        self.bids = budgets.bid[rows]
        # Pacing reads spend a moment old (ADS_SERVING_REFRESH_SECONDS); the charge itself
        # is decided by the database, so a stale figure can never overspend.
        self.cpc = index.cpc[rows]
        largest_charge = np.where(self.cpc, self.bids, np.maximum(self.bids // 1000, 1))
        self.open_rows = pacing.may_take_part(
            budgets.spent_today[rows],
            budgets.daily[rows],
            largest_charge,
            fraction=pacing.day_fraction(now),
        ) & (budgets.left_total[rows] >= largest_charge)
        self.p_click = prediction.p_click
        self.targeter_version = prediction.version_id
        self.ids = index.ids[rows]
        self.advertisers = index.advertiser_ids[rows]
        self.caps = index.frequency_cap[rows]
        self.seen = targeting.seen_today(index, audience)[rows]
        self.reserve = float(settings.ADS_RESERVE_ECPM_MICROS)

    @classmethod
    def open(cls, viewer, *, token, context_post_ids, now) -> "PageAuction | None":
        stale_ok = serving_refresh_seconds()
        today = timezone.localdate(now)
        feed, served = recent(("models",), _active_models, stale_ok)
        index = current_index(today, feed=feed, token=token)
        if not len(index):
            return None
        audience = targeting.audience_for(
            viewer, index=index, context_post_ids=context_post_ids, feed=feed, now=now
        )
        matches = targeting.match(index, audience)
        budgets = recent(
            ("budgets", token, today), lambda: billing.live_budgets(index.ids, today), stale_ok
        )
        rows = np.flatnonzero(matches.eligible & budgets.active)
        if not len(rows):
            return None
        prediction = targeter.predict(index, rows, audience, matches, served=served)
        return cls(index, audience, matches, rows, budgets, prediction, now)

    def winner(self) -> Pick | None:
        """The next slot's winner among the campaigns still in, and its price."""
        result = auction.run_slot(
            bids=self.bids,
            cpc=self.cpc,
            p_click=self.p_click,
            advertisers=self.advertisers,
            ids=self.ids,
            eligible=self.open_rows & (self.seen < self.caps),
            reserve=self.reserve,
        )
        if result is None:
            return None
        return Pick(result.row, result.price_micros, float(self.p_click[result.row]))

    def refused(self, pick: Pick) -> None:
        """The database refused its charge (spent elsewhere a moment ago): it is out."""
        self.open_rows[pick.row] = False

    def shown(self, pick: Pick) -> None:
        """Its advertiser is done for this page (one ad per advertiser a page)."""
        self.seen[pick.row] += 1
        self.open_rows &= self.advertisers != self.advertisers[pick.row]

    def index_row(self, pick: Pick) -> int:
        return int(self.rows[pick.row])

    def why(self, pick: Pick) -> str:
        return targeting.why(self.index, self.index_row(pick), self.audience, self.matches)


def _active_models():
    """The active feed model and ad targeter (each one indexed query)."""
    return (
        serving.current_model(ModelKind.FEED_ALS),
        serving.current_model(ModelKind.AD_TARGETER),
    )


def serve_sponsored(
    viewer,
    *,
    slots: list[int],
    context_post_ids,
    surface: str,
    arm: str = "",
    model_version: int | None = None,
    now: datetime | None = None,
) -> list[Sponsored]:
    """Fill these slot positions for the person, best first; a slot no campaign wins stays
    empty. While any campaign can serve, the page's slots are counted, filled or not, as one
    AD_SLOTS event: the fill rate's denominator. While none can, this costs no query."""
    if not slots or not getattr(viewer, "is_authenticated", False):
        return []
    token = serving_token()
    if token is None:  # no campaign can serve anyone: no auction, and no inventory to fill
        return []
    now = now or timezone.now()
    page = PageAuction.open(viewer, token=token, context_post_ids=context_post_ids, now=now)
    shown = [] if page is None else _fill(page, viewer, slots, surface, arm, model_version)
    event_record(
        EventKind.AD_SLOTS,
        user=viewer,
        surface=surface,
        arm=arm,
        model_version=model_version,
        result_count=len(slots),
        at=now,
    )
    return shown


def _fill(page: PageAuction, viewer, slots, surface, arm, model_version) -> list[Sponsored]:
    shown: list[Sponsored] = []
    for slot in slots:
        for _ in range(MAX_TRIES_PER_SLOT):
            pick = page.winner()
            if pick is None:
                break
            item = _record(
                viewer,
                page=page,
                pick=pick,
                slot=slot,
                surface=surface,
                arm=arm,
                model_version=model_version,
            )
            if item is None:  # the database refused the charge: the next campaign
                page.refused(pick)
                continue
            page.shown(pick)
            shown.append(item)
            break
    return shown


def _record(viewer, *, page: PageAuction, pick: Pick, slot, surface, arm, model_version):
    """Record (and for CPM charge) one impression; None if the charge was refused.

    Each ad is its own transaction, never one for the page: a transaction holds the row locks
    of one campaign only (its campaign row, then its day), always in that order, so pages
    whose slots go to the same campaigns in different orders cannot deadlock."""
    index, row, now, price = page.index, page.index_row(pick), page.now, pick.price_micros
    campaign_id = int(index.ids[row])
    creatives = index.creatives[row]
    creative = creatives[int(now.timestamp() * 1000) % len(creatives)]  # rotate the ads
    with transaction.atomic():
        if index.cpc[row]:
            billing.count_on_day(campaign_id, impressions=1, now=now)
        else:
            charged = billing.charge(
                campaign_id=campaign_id,
                kind=LedgerEntry.Kind.IMPRESSION,
                amount_micros=auction.impression_charge(price),
                person_id=viewer.pk,
                creative_id=creative["id"],
                now=now,
            )
            if charged is None:
                return None
        event = event_record(
            EventKind.AD_IMPRESSION,
            user=viewer,
            campaign_id=campaign_id,
            surface=surface,
            position=slot,
            arm=arm,
            model_version=model_version,
            at=now,
        )
        # What a click may do is decided now and kept with the impression: its price (never
        # above the bid), the link approved now; the token only names it.
        AdImpression.objects.create(
            event_id=event.pk,
            person=viewer,
            campaign_id=campaign_id,
            creative_id=creative["id"],
            click_price_micros=min(int(price), int(page.bids[pick.row])) if index.cpc[row] else 0,
            link=creative["link"],
            served_at=now,
        )
    token = click_token(event_id=event.pk, person_id=viewer.pk)
    return Sponsored(
        position=slot,
        campaign_id=campaign_id,
        creative_id=creative["id"],
        advertiser_id=int(index.advertiser_ids[row]),
        advertiser_name=index.advertiser_names[row],
        headline=creative["headline"],
        text=creative["text"],
        link=creative["link"],
        image=creative["image"] or "",
        topics=list(index.topics[row]),
        why=page.why(pick),
        click_token=token,
        event_id=event.pk,
        extra={"p_click": pick.p_click, "price_micros": int(price)},
    )
