"""Clicks on served ads: a signed link naming the impression, checked against what the
server recorded when it served it (ads.models.AdImpression).

The token carries only the impression's event and the person, never a price or a link, so
nothing in it can be tampered with to charge more or send people elsewhere, and forging one
needs the SECRET_KEY. Cheap checks come first (the signature, the rate limits, one lookup
by primary key); the first click of an impression claims it with one conditional UPDATE, so
replays and bursts of the same link are recorded and charged once, and no campaign row is
locked for a click that will not be charged. No login is needed: the signature is the
authority, so a token-authenticated client's link works in a browser.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from ads import billing
from ads.models import AdImpression, Creative, LedgerEntry
from events.models import EventKind
from events.services import event_record
from flywheel.errors import NotFound
from flywheel.ratelimit import check_and_count

log = logging.getLogger(__name__)
# A new salt: links of the old form (which carried the price and the ad) are no longer valid.
CLICK_SALT = "ads.click.impression"


def click_token(*, event_id: int, person_id: int) -> str:
    return signing.dumps({"e": event_id, "u": person_id}, salt=CLICK_SALT, compress=True)


@dataclass
class Click:
    link: str
    charged: LedgerEntry | None
    counted: bool  # False for a repeat of an impression already clicked, or an old link


def _read(token: str) -> tuple[int, int, bool]:
    """(event id, person id, expired) of a link we signed; NotFound otherwise."""
    try:
        data = signing.loads(token, salt=CLICK_SALT, max_age=settings.ADS_CLICK_TOKEN_MAX_AGE)
        expired = False
    except signing.SignatureExpired:  # an old page: the link still leads to the ad
        data, expired = signing.loads(token, salt=CLICK_SALT), True
    except signing.BadSignature:
        raise NotFound("This ad link is not valid.") from None
    try:
        return int(data["e"]), int(data["u"]), expired
    except (KeyError, TypeError, ValueError):
        raise NotFound("This ad link is not valid.") from None


def click_record(token: str, *, address: str, now: datetime | None = None) -> Click:
    """Record the first click of a served ad and charge it if it may be; a repeat (or an
    expired link) only leads to the link. NotFound for a link we did not sign or whose
    impression is gone; RateLimited past ACTION_RATE_LIMITS' "ad_click" (per person) or
    "ad_click_address" (per client address)."""
    now = now or timezone.now()
    event_id, person_id, expired = _read(token)
    check_and_count("ad_click", person_id, action="ad clicks")
    check_and_count("ad_click_address", address, action="ad clicks")
    impression = AdImpression.objects.filter(pk=event_id, person_id=person_id).first()
    if impression is None:
        raise NotFound("This ad is no longer available.")
    if expired:
        return Click(link=impression.link, charged=None, counted=False)
    with transaction.atomic():
        claimed = AdImpression.objects.filter(pk=event_id, clicked_at__isnull=True).update(
            clicked_at=now
        )
        if not claimed:  # clicked before: the link, nothing else
            return Click(link=impression.link, charged=None, counted=False)
        charged = _charge(impression, now) if _chargeable(impression, now) else None
        person = User.objects.filter(pk=person_id, is_active=True).only("id").first()
        event_record(EventKind.AD_CLICK, user=person, campaign_id=impression.campaign_id, at=now)
        if charged is None and impression.campaign_id:
            billing.count_on_day(impression.campaign_id, clicks=1, now=now)
    log.debug("click on impression %s by %s, charged: %s", event_id, person_id, charged)
    return Click(link=impression.link, charged=charged, counted=True)


def _chargeable(impression: AdImpression, now: datetime) -> bool:
    """A per-click price, an ad still approved with the link it was served with, and no
    charged click by this person on this campaign within ADS_CLICK_DEDUPE_SECONDS (the
    campaign's state and dates are checked by the charge itself)."""
    if impression.click_price_micros <= 0 or impression.campaign_id is None:
        return False
    live_ad = Creative.objects.filter(
        pk=impression.creative_id,
        campaign_id=impression.campaign_id,
        review_state=Creative.Review.APPROVED,
        link=impression.link,
    ).exists()
    return live_ad and not billing.recent_click_exists(
        person_id=impression.person_id, campaign_id=impression.campaign_id, now=now
    )


def _charge(impression: AdImpression, now: datetime) -> LedgerEntry | None:
    return billing.charge(
        campaign_id=impression.campaign_id,
        kind=LedgerEntry.Kind.CLICK,
        amount_micros=impression.click_price_micros,
        person_id=impression.person_id,
        creative_id=impression.creative_id,
        now=now,
        require_active=True,  # a paused, finished or reviewed-again campaign is not charged
    )


def impressions_prune(*, now: datetime | None = None) -> int:
    """Forget impressions whose click links have expired (and a day more), so the table
    stays the size of a week of ads."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.ADS_CLICK_TOKEN_MAX_AGE, days=1)
    deleted, _ = AdImpression.objects.filter(served_at__lt=cutoff).delete()
    return deleted
