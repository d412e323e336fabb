"""Writes of the ads app: advertisers, campaigns, creatives, review, pause and resume, hiding.

Every rule about what a campaign may be lives here (pages, the API and seeding all come
through), raised as ValidationError with a message per field. Serving and money are in
ads.sponsored and ads.billing.

A campaign's life:

    draft --submit--> review --a creative approved--> active <--pause/resume--> paused
                          \\--every creative rejected--> rejected --submit again--> review
    active/paused --end date passed or budget spent--> finished
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import AgeBracket, Region
from ads import index
from ads.models import Advertiser, Campaign, Creative, HiddenAdvertiser
from ads.money import format_money
from flywheel.errors import NotFound
from social.models import Hashtag
from social.text import HASHTAG_RE

State = Campaign.State
Review = Creative.Review
MAX_BID_MICROS = 1_000 * 1_000_000
MAX_BUDGET_MICROS = 10_000_000 * 1_000_000
MIN_BID_MICROS = {Campaign.BidType.CPC: 10_000, Campaign.BidType.CPM: 100_000}
MAX_TOPICS = 20
MAX_FREQUENCY_CAP = 50
EDITABLE_STATES = (State.DRAFT, State.REVIEW, State.ACTIVE, State.PAUSED, State.REJECTED)
CAMPAIGN_FIELDS = (
    "name", "objective", "bid_type", "bid_micros", "daily_budget_micros", "total_budget_micros",
    "starts_on", "ends_on", "age_brackets", "regions", "lookalike", "frequency_cap",
)  # fmt: skip


# --- advertisers -----------------------------------------------------------------------


def _clean_advertiser(name: str, billing_email: str) -> tuple[str, str]:
    name, billing_email = (name or "").strip(), (billing_email or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Give the name people will see on your ads."
    elif len(name) > 80:
        errors["name"] = "Keep the name to 80 characters."
    if not billing_email:
        errors["billing_email"] = "Give an email address for billing."
    if errors:
        raise ValidationError(errors)
    return name, billing_email


def advertiser_create(*, user, name: str, billing_email: str) -> Advertiser:
    """Become an advertiser. Anyone signed in may; once."""
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied("Sign in to advertise.")
    name, billing_email = _clean_advertiser(name, billing_email)
    try:
        with transaction.atomic():
            return Advertiser.objects.create(user=user, name=name, billing_email=billing_email)
    except IntegrityError:
        raise ValidationError("You are already an advertiser.") from None


def advertiser_update(*, advertiser: Advertiser, name: str, billing_email: str) -> Advertiser:
    advertiser.name, advertiser.billing_email = _clean_advertiser(name, billing_email)
    advertiser.save(update_fields=["name", "billing_email"])
    index.changed()  # the name shows on the ads
    return advertiser


# --- campaigns -------------------------------------------------------------------------


def _clean_topics(topics) -> list[str]:
    names = []
    for raw in topics or []:
        name = str(raw).strip().lstrip("#").lower()
        if not name:
            continue
        if not HASHTAG_RE.fullmatch(f"#{name}"):
            raise ValidationError({"topics": f"“{raw}” is not a topic: use hashtag words."})
        if name not in names:
            names.append(name)
    if len(names) > MAX_TOPICS:
        raise ValidationError({"topics": f"Choose at most {MAX_TOPICS} topics."})
    return names


def _clean_choices(values, choices, field: str, what: str) -> list[str]:
    allowed = {value for value, _ in choices if value}
    values = list(dict.fromkeys(values or []))
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValidationError({field: f"Unknown {what}: {', '.join(map(str, unknown))}."})
    return values


def validate_campaign(values: dict, *, spent_micros: int = 0, today: date | None = None) -> None:
    """Every rule a campaign's settings must keep, with a message per field."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = "Name the campaign."
    elif len(name) > 100:
        errors["name"] = "Keep the name to 100 characters."
    if values.get("objective") not in Campaign.Objective.values:
        errors["objective"] = "Choose an objective."
    bid_type = values.get("bid_type")
    if bid_type not in Campaign.BidType.values:
        errors["bid_type"] = "Choose how you pay: per click or per thousand impressions."
    bid = values.get("bid_micros")
    daily = values.get("daily_budget_micros")
    total = values.get("total_budget_micros")
    for field, value, label in (
        ("bid_micros", bid, "The bid"),
        ("daily_budget_micros", daily, "The daily budget"),
        ("total_budget_micros", total, "The total budget"),
    ):
        if not isinstance(value, int) or isinstance(value, bool):
            errors[field] = f"{label} is missing."
        elif value <= 0:
            errors[field] = f"{label} must be more than zero."
    if "bid_micros" not in errors:
        least = MIN_BID_MICROS.get(bid_type, 1)
        if bid < least:
            errors["bid_micros"] = f"The bid must be at least {format_money(least)}."
        elif bid > MAX_BID_MICROS:
            errors["bid_micros"] = f"The bid can be at most {format_money(MAX_BID_MICROS)}."
    if "daily_budget_micros" not in errors and "bid_micros" not in errors and daily < bid:
        errors["daily_budget_micros"] = (
            f"The daily budget must cover at least one bid ({format_money(bid)})."
        )
    if "total_budget_micros" not in errors:
        if total > MAX_BUDGET_MICROS:
            errors["total_budget_micros"] = (
                f"The total budget can be at most {format_money(MAX_BUDGET_MICROS)}."
            )
        elif "daily_budget_micros" not in errors and total < daily:
            errors["total_budget_micros"] = "The total budget must cover at least one day."
        elif total < spent_micros:
            errors["total_budget_micros"] = (
                f"The campaign has already spent {format_money(spent_micros)}; the total budget "
                "cannot be less."
            )
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    if not isinstance(starts_on, date):
        errors["starts_on"] = "Give a start date."
    if not isinstance(ends_on, date):
        errors["ends_on"] = "Give an end date."
    elif isinstance(starts_on, date) and ends_on < starts_on:
        errors["ends_on"] = "The campaign must end on or after the day it starts."
    elif ends_on < today:
        errors["ends_on"] = "The end date has passed: choose today or later."
    cap = values.get("frequency_cap")
    if not isinstance(cap, int) or isinstance(cap, bool) or not 1 <= cap <= MAX_FREQUENCY_CAP:
        errors["frequency_cap"] = f"Show it between 1 and {MAX_FREQUENCY_CAP} times a day."
    if errors:
        raise ValidationError(errors)


def _prepared(values: dict) -> tuple[dict, list[str]]:
    """Normalised campaign fields and topic names (raises ValidationError)."""
    values = dict(values)
    values["name"] = (values.get("name") or "").strip()
    values["age_brackets"] = _clean_choices(
        values.get("age_brackets"), AgeBracket.choices, "age_brackets", "age bracket"
    )
    values["regions"] = _clean_choices(values.get("regions"), Region.choices, "regions", "region")
    values["lookalike"] = bool(values.get("lookalike"))
    values.setdefault("frequency_cap", 3)
    values.setdefault("objective", Campaign.Objective.TRAFFIC)
    topics = _clean_topics(values.pop("topics", None))
    return values, topics


def _set_topics(campaign: Campaign, names: list[str]) -> None:
    existing = {h.name: h for h in Hashtag.objects.filter(name__in=names)}
    missing = [Hashtag(name=name) for name in names if name not in existing]
    Hashtag.objects.bulk_create(missing, ignore_conflicts=True)
    campaign.topics.set(Hashtag.objects.filter(name__in=names))


def campaign_create(*, advertiser: Advertiser, **values) -> Campaign:
    """A new campaign, in draft: it needs a creative and a review before it serves."""
    values, topics = _prepared(values)
    unknown = set(values) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"unknown campaign fields: {', '.join(sorted(unknown))}")
    validate_campaign(values)
    with transaction.atomic():
        campaign = Campaign.objects.create(advertiser=advertiser, state=State.DRAFT, **values)
        _set_topics(campaign, topics)
    return campaign


def campaign_update(*, campaign: Campaign, **changes) -> Campaign:
    """Change settings. Money and dates are checked against what is already spent; a change
    to a serving campaign takes effect on the next auction."""
    if campaign.state == State.FINISHED:
        raise ValidationError("This campaign has finished; start a new one instead.")
    values = {field: getattr(campaign, field) for field in CAMPAIGN_FIELDS}
    values["topics"] = changes.pop("topics", None)
    if values["topics"] is None:
        values["topics"] = list(campaign.topics.values_list("name", flat=True))
    unknown = set(changes) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"unknown campaign fields: {', '.join(sorted(unknown))}")
    values.update(changes)
    values, topics = _prepared(values)
    with transaction.atomic():
        # Lock the row: the spend we check against cannot move while we change the budget.
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        validate_campaign(values, spent_micros=locked.spent_micros)
        for field, value in values.items():
            setattr(campaign, field, value)
        campaign.spent_micros = locked.spent_micros
        campaign.save(update_fields=[*CAMPAIGN_FIELDS, "updated_at"])
        _set_topics(campaign, topics)
        index.changed()
    return campaign


def campaign_submit(*, campaign: Campaign) -> Campaign:
    """Send a draft (or a rejected campaign, after fixing it) for review."""
    if campaign.state not in (State.DRAFT, State.REJECTED):
        now = campaign.get_state_display().lower()
        raise ValidationError(
            f"Only a draft or rejected campaign can be sent for review; this one is {now}."
        )
    creatives = list(campaign.creatives.all())
    if not any(c.review_state != Review.REJECTED for c in creatives):
        raise ValidationError("Add an ad (a creative) before sending the campaign for review.")
    approved = any(c.review_state == Review.APPROVED for c in creatives)
    return _move(campaign, State.ACTIVE if approved else State.REVIEW)


def campaign_pause(*, campaign: Campaign) -> Campaign:
    if campaign.state == State.PAUSED:
        return campaign
    if campaign.state != State.ACTIVE:
        raise ValidationError("Only an active campaign can be paused.")
    return _move(campaign, State.PAUSED)


def campaign_resume(*, campaign: Campaign) -> Campaign:
    if campaign.state == State.ACTIVE:
        return campaign
    if campaign.state != State.PAUSED:
        raise ValidationError("Only a paused campaign can be resumed.")
    if campaign.ends_on < timezone.localdate():
        raise ValidationError("The end date has passed: change it before resuming.")
    return _move(campaign, State.ACTIVE)


def _move(campaign: Campaign, state: str) -> Campaign:
    campaign.state = state
    campaign.save(update_fields=["state", "updated_at"])
    index.changed()
    return campaign


def campaigns_finish_ended(*, today: date | None = None) -> int:
    """Active or paused campaigns whose end date has passed, or whose budget cannot pay for
    one more charge, are finished. Returns how many."""
    today = today or timezone.localdate()
    ended = Campaign.objects.filter(state__in=(State.ACTIVE, State.PAUSED), ends_on__lt=today)
    count = ended.update(state=State.FINISHED)
    for campaign in Campaign.objects.filter(state__in=(State.ACTIVE, State.PAUSED)).only(
        "bid_type", "bid_micros", "total_budget_micros", "spent_micros"
    ):
        smallest = 1 if campaign.bid_type == Campaign.BidType.CPM else campaign.bid_micros
        if campaign.budget_left_micros < smallest:
            count += Campaign.objects.filter(pk=campaign.pk).update(state=State.FINISHED)
    if count:
        index.changed()
    return count


# --- creatives and review --------------------------------------------------------------


def _clean_creative(values: dict) -> dict:
    errors = {}
    cleaned = {}
    for field, limit, label in (("headline", 60, "a headline"), ("text", 200, "the ad's text")):
        value = (values.get(field) or "").strip()
        if not value:
            errors[field] = f"Write {label}."
        elif len(value) > limit:
            errors[field] = f"Keep it to {limit} characters (this is {len(value)})."
        cleaned[field] = value
    link = (values.get("link") or "").strip()
    if not link.lower().startswith(("https://", "http://")) or len(link) > 500:
        errors["link"] = "Give the web address people go to, starting with https://."
    cleaned["link"] = link
    if errors:
        raise ValidationError(errors)
    return cleaned


def creative_create(*, campaign: Campaign, headline: str, text: str, link: str, image=None):
    """A new ad for the campaign, waiting for review."""
    if campaign.state == State.FINISHED:
        raise ValidationError("This campaign has finished; start a new one instead.")
    values = _clean_creative({"headline": headline, "text": text, "link": link})
    creative = Creative(campaign=campaign, review_state=Review.PENDING, **values)
    if image:
        creative.image = image
    creative.full_clean(exclude=["campaign", "reviewed_by"])
    creative.save()
    return creative


def creative_update(*, creative: Creative, image=None, clear_image=False, **values) -> Creative:
    """Edit an ad; what people would see changed, so it goes back to review."""
    if creative.campaign.state == State.FINISHED:
        raise ValidationError("This campaign has finished; its ads cannot change.")
    merged = {f: values.get(f, getattr(creative, f)) for f in ("headline", "text", "link")}
    for field, value in _clean_creative(merged).items():
        setattr(creative, field, value)
    if image:
        creative.image = image
    elif clear_image:
        creative.image = ""
    creative.full_clean(exclude=["campaign", "reviewed_by"])
    with transaction.atomic():
        creative.review_state, creative.review_reason = Review.PENDING, ""
        creative.reviewed_by, creative.reviewed_at = None, None
        creative.save()
        _after_review(creative.campaign)
    return creative


def creative_review(*, creative: Creative, reviewer, approve: bool, reason: str = "") -> Creative:
    """Staff approve an ad, or reject it with a reason the advertiser sees. `reviewer` is
    None only for seeding (the system approving its own demo campaigns)."""
    if reviewer is not None and not (reviewer.is_active and reviewer.is_staff):
        raise PermissionDenied("Only staff review ads.")
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError(
            {"review_reason": "Say why the ad is rejected: the advertiser sees it."}
        )
    with transaction.atomic():
        creative.review_state = Review.APPROVED if approve else Review.REJECTED
        creative.review_reason = "" if approve else reason[:1000]
        creative.reviewed_by = reviewer
        creative.reviewed_at = timezone.now()
        creative.save(update_fields=["review_state", "review_reason", "reviewed_by", "reviewed_at"])
        _after_review(creative.campaign)
    return creative


def _after_review(campaign: Campaign) -> None:
    """A campaign in review goes live with its first approved ad, and is rejected when all
    its ads are; a serving campaign left without an approved ad goes back to review."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    states = set(campaign.creatives.values_list("review_state", flat=True))
    new_state = campaign.state
    if campaign.state in (State.REVIEW, State.REJECTED) and Review.APPROVED in states:
        new_state = State.ACTIVE
    elif campaign.state == State.REVIEW and states == {Review.REJECTED}:
        new_state = State.REJECTED
    elif campaign.state in (State.ACTIVE, State.PAUSED) and Review.APPROVED not in states:
        new_state = State.REVIEW
    if new_state != campaign.state:
        campaign.state = new_state
        campaign.save(update_fields=["state", "updated_at"])
    index.changed()


# --- people and the ads they see -------------------------------------------------------


def advertiser_hide(*, person, advertiser_id: int) -> Advertiser:
    """The person sees no more ads from this advertiser. Repeating it is harmless."""
    if not person.is_authenticated:
        raise PermissionDenied("Sign in to choose which ads you see.")
    advertiser = Advertiser.objects.filter(pk=advertiser_id).first()
    if advertiser is None:
        raise NotFound("There is no such advertiser.")
    HiddenAdvertiser.objects.get_or_create(person=person, advertiser=advertiser)
    return advertiser


def advertiser_unhide(*, person, advertiser_id: int) -> None:
    if not person.is_authenticated:
        raise PermissionDenied("Sign in to choose which ads you see.")
    HiddenAdvertiser.objects.filter(person=person, advertiser_id=advertiser_id).delete()
