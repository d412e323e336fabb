"""Filling sponsored slots, recording impressions and clicks.

For each slot of a page: the campaigns the targeting allows (ads.targeting), with budget left
today and in total and behind their pacing line (ads.pacing), ranked by bid x predicted click
probability (ads.targeter) in a second-price auction with a reserve (ads.auction). The page's
winners are recorded at once, server-side, in one transaction (one commit a page): for each,
an AD_IMPRESSION event (campaign, surface, position, arm, model version), the day's impression
count and, for a per-thousand bid, the charge (ads.billing), campaigns taken in id order. If
the database refuses a charge (another process spent the last of the budget a moment ago) the
slot goes to the next campaign.

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
from ads.index import current_index, serving_refresh_seconds, serving_token
from ads.models import AdImpression, LedgerEntry
from events.models import EventKind
from events.services import event_new, events_record_many
from feeds import serving
from feeds.models import ModelKind
from flywheel.recent import recent

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
    """A slot's winner: its row among the page's campaigns, price per unit, predicted click
    rate and the creative shown; `closed` are the rows its showing took out of the page's
    other auctions (its advertiser's)."""

    row: int
    price_micros: int
    p_click: float
    creative: dict
    closed: np.ndarray | None = None  # set when shown


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
        feed, served = _active_models()
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

    def plan(self, slots) -> list[tuple[int, Pick]]:
        """Each slot's winner in turn, each shown (its advertiser out of the later slots)."""
        planned = []
        for slot in slots:
            pick = self.winner()
            if pick is None:
                break
            self.shown(pick)
            planned.append((slot, pick))
        return planned

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
        creatives = self.index.creatives[int(self.rows[result.row])]
        creative = creatives[int(self.now.timestamp() * 1000) % len(creatives)]  # rotate ads
        return Pick(result.row, int(result.price_micros), float(self.p_click[result.row]), creative)

    def shown(self, pick: Pick) -> None:
        """Its advertiser is done for this page (one ad per advertiser a page)."""
        self.seen[pick.row] += 1
        pick.closed = self.open_rows & (self.advertisers == self.advertisers[pick.row])
        self.open_rows &= ~pick.closed

    def refused(self, pick: Pick) -> None:
        """The database refused its charge (spent elsewhere a moment ago): not shown after
        all, and its campaign is out; the advertiser's other campaigns are back in."""
        self.seen[pick.row] -= 1
        self.open_rows |= pick.closed
        self.open_rows[pick.row] = False

    def campaign_id(self, pick: Pick) -> int:
        return int(self.ids[pick.row])

    def is_cpc(self, pick: Pick) -> bool:
        return bool(self.cpc[pick.row])

    def index_row(self, pick: Pick) -> int:
        return int(self.rows[pick.row])

    def why(self, pick: Pick) -> str:
        return targeting.why(self.index, self.index_row(pick), self.audience, self.matches)


def _active_models():
    """The active feed model and ad targeter (feeds.serving reads which versions are active
    at most every FEED_SERVING_REFRESH_SECONDS)."""
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
    context = PageContext(viewer, surface=surface, arm=arm, model_version=model_version, now=now)
    slots_event = context.event(EventKind.AD_SLOTS, result_count=len(slots))
    page = PageAuction.open(viewer, token=token, context_post_ids=context_post_ids, now=now)
    if page is None:
        events_record_many([slots_event])
        return []
    return _fill(page, context, list(slots), slots_event)


@dataclass
class PageContext:
    """Who sees the page, where, and what every event of its ads records."""

    viewer: object
    surface: str
    arm: str
    model_version: int | None
    now: datetime

    def event(self, kind, **fields):
        return event_new(
            kind,
            user=self.viewer,
            surface=self.surface,
            arm=self.arm,
            model_version=self.model_version,
            at=self.now,
            **fields,
        )


def _fill(page: PageAuction, context: PageContext, slots, slots_event) -> list[Sponsored]:
    """Every slot's auction first, then one transaction records (and charges) the page's ads.
    A charge the database refuses (another process spent the last of a budget a moment ago)
    gives its slot back, and the slots given back go to the next campaigns in a transaction of
    their own: within one transaction campaigns are locked in id order only."""
    shown: list[Sponsored] = []
    page_events = [slots_event]
    for _ in range(MAX_TRIES_PER_SLOT):
        planned = page.plan(slots)
        if not planned:
            if page_events:
                events_record_many(page_events)
            break
        placed, slots = _record(page, context, planned, page_events)
        shown += placed
        page_events = []
        if not slots:
            break
    return sorted(shown, key=lambda item: item.position)


def _record(page: PageAuction, context: PageContext, planned, page_events):
    """Charge (CPM) or count (CPC) the planned ads and record their impressions, in one
    transaction; the ads placed, and the slots whose charge was refused.

    The CPM campaigns' rows (and then their days' rows) are locked in campaign id order, so
    two pages charging the same campaigns in different slot orders cannot deadlock. The CPC
    campaigns' days are counted last, in one statement and in id order too, so the busiest
    rows stay locked for the commit only (a campaign is CPM or CPC, never both, so the two
    groups never wait on each other in a cycle)."""
    placed, refused = [], []
    with transaction.atomic():
        for slot, pick in sorted(planned, key=lambda planned: page.campaign_id(planned[1])):
            if page.is_cpc(pick) or _charged(page, context, pick):
                placed.append((slot, pick))
            else:
                page.refused(pick)
                refused.append(slot)
        events = [
            context.event(
                EventKind.AD_IMPRESSION, campaign_id=page.campaign_id(pick), position=slot
            )
            for slot, pick in placed
        ]
        events_record_many(events + page_events)
        AdImpression.objects.bulk_create(
            _impression(page, context, pick, event)
            for (_, pick), event in zip(placed, events, strict=True)
        )
        billing.count_impressions(
            [page.campaign_id(pick) for _, pick in placed if page.is_cpc(pick)], now=context.now
        )
    ads = [
        _sponsored(page, context, slot, pick, event)
        for (slot, pick), event in zip(placed, events, strict=True)
    ]
    return ads, refused


def _charged(page: PageAuction, context: PageContext, pick: Pick) -> bool:
    """Charge a CPM ad's impression; False if a budget refused it."""
    charged = billing.charge(
        campaign_id=page.campaign_id(pick),
        kind=LedgerEntry.Kind.IMPRESSION,
        amount_micros=auction.impression_charge(pick.price_micros),
        person_id=context.viewer.pk,
        creative_id=pick.creative["id"],
        now=context.now,
    )
    return charged is not None


def _impression(page: PageAuction, context: PageContext, pick: Pick, event) -> AdImpression:
    # What a click may do is decided now and kept with the impression: its price (never
    # above the bid), the link approved now; the token only names it.
    click_price = min(pick.price_micros, int(page.bids[pick.row])) if page.is_cpc(pick) else 0
    return AdImpression(
        event_id=event.pk,
        person=context.viewer,
        campaign_id=page.campaign_id(pick),
        creative_id=pick.creative["id"],
        click_price_micros=click_price,
        link=pick.creative["link"],
        served_at=context.now,
    )


def _sponsored(page: PageAuction, context: PageContext, slot, pick: Pick, event) -> Sponsored:
    index, row, creative = page.index, page.index_row(pick), pick.creative
    return Sponsored(
        position=slot,
        campaign_id=page.campaign_id(pick),
        creative_id=creative["id"],
        advertiser_id=int(index.advertiser_ids[row]),
        advertiser_name=index.advertiser_names[row],
        headline=creative["headline"],
        text=creative["text"],
        link=creative["link"],
        image=creative["image"] or "",
        topics=list(index.topics[row]),
        why=page.why(pick),
        click_token=click_token(event_id=event.pk, person_id=context.viewer.pk),
        event_id=event.pk,
        extra={"p_click": pick.p_click, "price_micros": pick.price_micros},
    )
