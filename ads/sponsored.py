"""Filling sponsored slots, recording impressions and clicks.

For each slot of a page: the campaigns the targeting allows (ads.targeting), with budget left
today and in total and behind their pacing line (ads.pacing), ranked by bid x predicted click
probability (ads.targeter) in a second-price auction with a reserve (ads.auction). The winner
is recorded at once, server-side, in one transaction: an AD_IMPRESSION event (campaign,
surface, position, arm, model version), the day's impression count and, for a per-thousand
bid, the charge (ads.billing). If the database refuses the charge (another process spent the
last of the budget a moment ago) the slot goes to the next campaign.

A click is a signed link naming the impression's event, the person, the campaign, the ad and
the price per click the auction set; it needs no other authentication. It records an
AD_CLICK event, charges a per-click campaign (once per person and campaign within
ADS_CLICK_DEDUPE_SECONDS) and sends the person to the ad's link.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from ads import auction, billing, pacing, targeter, targeting
from ads.index import current_index, index_token
from ads.models import Creative, LedgerEntry
from analytics.models import Event, EventKind
from analytics.services import event_record
from feeds import serving
from feeds.models import ModelKind
from flywheel.errors import NotFound

log = logging.getLogger(__name__)
CLICK_SALT = "ads.click"
MAX_TRIES_PER_SLOT = 5


@dataclass
class Sponsored:
    """One ad shown in one slot."""

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
    empty. Costs no query at all while no campaign can serve."""
    if not slots or not getattr(viewer, "is_authenticated", False):
        return []
    now = now or timezone.now()
    today = timezone.localdate(now)
    token = index_token()
    if token is None:
        return []
    feed = serving.current_model(ModelKind.FEED_ALS)
    index = current_index(today, feed=feed, token=token)
    if not len(index):
        return []
    audience = targeting.audience_for(viewer, context_post_ids=context_post_ids, feed=feed, now=now)
    matches = targeting.match(index, audience)
    rows = np.flatnonzero(matches.eligible)
    if not len(rows):
        return []
    budgets = billing.live_budgets(index.ids[rows], today)
    rows = np.array([r for r in rows if int(index.ids[r]) in budgets], dtype=np.int64)
    if not len(rows):
        return []
    live = [budgets[int(index.ids[r])] for r in rows]
    bids = np.array([b.bid for b in live], dtype=np.int64)
    cpc = index.cpc[rows]
    largest_charge = np.where(cpc, bids, np.maximum(bids // 1000, 1))
    open_rows = pacing.may_take_part(
        [b.spent_today for b in live],
        [b.daily for b in live],
        largest_charge,
        fraction=pacing.day_fraction(now),
    ) & (np.array([b.left_total for b in live]) >= largest_charge)
    prediction = targeter.predict(index, rows, audience, matches)
    reserve = float(settings.ADS_RESERVE_ECPM_MICROS)
    shown: list[Sponsored] = []
    seen = dict(audience.seen_today)
    used_advertisers: set[int] = set()
    for slot in slots:
        for _ in range(MAX_TRIES_PER_SLOT):
            caps_ok = np.array(
                [seen.get(int(index.ids[r]), 0) < index.frequency_cap[r] for r in rows], dtype=bool
            )
            fresh = ~np.isin(index.advertiser_ids[rows], list(used_advertisers))
            result = auction.run_slot(
                bids=bids,
                cpc=cpc,
                p_click=prediction.p_click,
                advertisers=index.advertiser_ids[rows],
                ids=index.ids[rows],
                eligible=open_rows & caps_ok & fresh,
                reserve=reserve,
            )
            if result is None:
                break
            row = int(rows[result.row])
            item = _record(
                viewer,
                index=index,
                row=row,
                price=result.price_micros,
                p_click=float(prediction.p_click[result.row]),
                why=targeting.why(index, row, audience, matches),
                slot=slot,
                surface=surface,
                arm=arm,
                model_version=model_version,
                now=now,
            )
            if item is None:  # the database refused the charge: next campaign
                open_rows[result.row] = False
                continue
            shown.append(item)
            used_advertisers.add(item.advertiser_id)
            seen[item.campaign_id] = seen.get(item.campaign_id, 0) + 1
            break
    return shown


def _record(viewer, *, index, row, price, p_click, why, slot, surface, arm, model_version, now):
    """Record (and for CPM charge) one impression; None if the charge was refused."""
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
            EventKind.AD_IMPRESSION, user=viewer, campaign_id=campaign_id, surface=surface, at=now
        )
        # event_record does not take these yet; they belong to the same row and transaction.
        Event.objects.filter(pk=event.pk).update(
            position=min(slot, 32767), arm=(arm or "")[:32], model_version=model_version
        )
    token = click_token(
        event_id=event.pk,
        person_id=viewer.pk,
        campaign_id=campaign_id,
        creative_id=creative["id"],
        click_price=int(price) if index.cpc[row] else 0,
    )
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
        why=why,
        click_token=token,
        event_id=event.pk,
        extra={"p_click": p_click, "price_micros": int(price)},
    )


# --- clicks ----------------------------------------------------------------------------


def click_token(
    *, event_id: int, person_id: int, campaign_id: int, creative_id: int, click_price: int
) -> str:
    payload = {"e": event_id, "u": person_id, "c": campaign_id, "r": creative_id, "p": click_price}
    return signing.dumps(payload, salt=CLICK_SALT, compress=True)


@dataclass
class Click:
    link: str
    charged: LedgerEntry | None
    counted: bool  # False for a repeat within the dedupe window


def click_record(token: str, *, now: datetime | None = None) -> Click:
    """Record a click on a served ad and charge it if it is a per-click campaign's first
    click by this person within the window. NotFound for a link we did not sign or an ad
    that is gone; an expired link still leads to the ad but is neither recorded nor charged."""
    now = now or timezone.now()
    try:
        data = signing.loads(token, salt=CLICK_SALT, max_age=settings.ADS_CLICK_TOKEN_MAX_AGE)
        expired = False
    except signing.SignatureExpired:  # an old page: the link still leads to the ad
        data, expired = signing.loads(token, salt=CLICK_SALT), True
    except signing.BadSignature:
        raise NotFound("This ad link is not valid.") from None
    try:
        event_id, person_id = int(data["e"]), int(data["u"])
        campaign_id, creative_id, price = int(data["c"]), int(data["r"]), int(data["p"])
    except (KeyError, TypeError, ValueError):
        raise NotFound("This ad link is not valid.") from None
    creative = Creative.objects.filter(pk=creative_id, campaign_id=campaign_id).first()
    if creative is None:
        raise NotFound("This ad is no longer available.")
    if expired:
        return Click(link=creative.link, charged=None, counted=False)
    person = User.objects.filter(pk=person_id, is_active=True).only("id").first()
    with transaction.atomic():
        billing.lock_campaign(campaign_id)  # a person's repeated clicks queue up here
        repeat = person is None or billing.recent_click_exists(
            person_id=person_id, campaign_id=campaign_id, now=now
        )
        event_record(EventKind.AD_CLICK, user=person, campaign_id=campaign_id, surface="", at=now)
        charged = None
        if not repeat:
            if price > 0:
                charged = billing.charge(
                    campaign_id=campaign_id,
                    kind=LedgerEntry.Kind.CLICK,
                    amount_micros=price,
                    person_id=person_id,
                    creative_id=creative_id,
                    now=now,
                    require_active=False,  # the ad was served while active
                )
            if charged is None:
                billing.count_on_day(campaign_id, clicks=1, now=now)
    log.debug("click on the ad of event %s by %s, charged: %s", event_id, person_id, charged)
    return Click(link=creative.link, charged=charged, counted=not repeat)
