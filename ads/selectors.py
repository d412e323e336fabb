"""Reads of the ads app: an advertiser's campaigns with their figures, per-day reports, and
the platform's revenue per day."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from ads.models import (
    Advertiser,
    Campaign,
    CampaignDay,
    Creative,
    HiddenAdvertiser,
    LedgerEntry,
)
from flywheel.errors import NotFound

MAX_REPORT_DAYS = 366


def advertiser_of(user) -> Advertiser | None:
    if not user.is_authenticated:
        return None
    return Advertiser.objects.filter(user=user).first()


def owned_campaign(user, campaign_id) -> Campaign:
    """The campaign if this person's advertiser owns it; NotFound otherwise (someone else's
    campaign is not even confirmed to exist)."""
    try:
        campaign_id = int(campaign_id)
    except (TypeError, ValueError):
        raise NotFound("There is no such campaign.") from None
    campaign = (
        Campaign.objects.filter(pk=campaign_id, advertiser__user_id=getattr(user, "pk", None))
        .select_related("advertiser")
        .first()
    )
    if campaign is None or not user.is_authenticated:
        raise NotFound("There is no such campaign.")
    return campaign


def owned_creative(user, creative_id) -> Creative:
    try:
        creative_id = int(creative_id)
    except (TypeError, ValueError):
        raise NotFound("There is no such ad.") from None
    creative = (
        Creative.objects.filter(
            pk=creative_id, campaign__advertiser__user_id=getattr(user, "pk", None)
        )
        .select_related("campaign__advertiser")
        .first()
    )
    if creative is None or not user.is_authenticated:
        raise NotFound("There is no such ad.")
    return creative


def spend_by_person(start: datetime, end: datetime, person_ids=None) -> dict[int, int]:
    """Micros charged in [start, end) for ads shown to or clicked by each person."""
    charged = LedgerEntry.objects.filter(
        created_at__gte=start, created_at__lt=end, person_id__isnull=False
    )
    if person_ids is not None:
        charged = charged.filter(person_id__in=person_ids)
    rows = charged.values("person_id").annotate(total=Sum("amount_micros"))
    return {person: int(total or 0) for person, total in rows.values_list("person_id", "total")}


def revenue_by_day(start_date: date, end_date: date) -> list[tuple[date, int]]:
    """Platform revenue per local day, from the ledger: every day from start to end
    (inclusive), days without revenue as 0."""
    if end_date < start_date:
        return []
    zone = timezone.get_current_timezone()
    begins = datetime.combine(start_date, time.min, tzinfo=zone)
    ends = datetime.combine(end_date + timedelta(days=1), time.min, tzinfo=zone)
    rows = (
        LedgerEntry.objects.filter(created_at__gte=begins, created_at__lt=ends)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(amount=Sum("amount_micros"))
        .values_list("day", "amount")
    )
    found = dict(rows)
    days = (end_date - start_date).days + 1
    return [
        (start_date + timedelta(n), int(found.get(start_date + timedelta(n), 0)))
        for n in range(days)
    ]


def _int(expression):
    return Coalesce(expression, Value(0), output_field=IntegerField())


def campaigns_of(advertiser, *, today: date | None = None):
    """The advertiser's campaigns, newest first, with totals and today's figures (one query)."""
    today = today or timezone.localdate()
    on_today = CampaignDay.objects.filter(campaign=OuterRef("pk"), day=today)
    totals = CampaignDay.objects.filter(campaign=OuterRef("pk")).values("campaign")
    return (
        Campaign.objects.filter(advertiser=advertiser)
        .annotate(
            spent_today=_int(Subquery(on_today.values("spent_micros"))),
            impressions=_int(Subquery(totals.annotate(n=Sum("impressions")).values("n"))),
            clicks=_int(Subquery(totals.annotate(n=Sum("clicks")).values("n"))),
            creative_count=Count("creatives", distinct=True),
            pending_count=Count(
                "creatives",
                filter=Q(creatives__review_state=Creative.Review.PENDING),
                distinct=True,
            ),
            rejected_count=Count(
                "creatives",
                filter=Q(creatives__review_state=Creative.Review.REJECTED),
                distinct=True,
            ),
        )
        .order_by("-id")
    )


def creatives_of(campaign):
    return campaign.creatives.select_related("reviewed_by").order_by("id")


@dataclass
class ReportRow:
    day: date
    impressions: int
    clicks: int
    spent_micros: int
    budget_left_micros: int  # of the total budget, at the end of the day

    @property
    def ctr(self) -> float | None:
        return self.clicks / self.impressions if self.impressions else None

    @property
    def ecpm_micros(self) -> int | None:
        """What a thousand impressions cost that day."""
        return round(self.spent_micros * 1000 / self.impressions) if self.impressions else None


@dataclass
class Report:
    rows: list[ReportRow]
    start: date
    end: date

    @property
    def impressions(self) -> int:
        return sum(r.impressions for r in self.rows)

    @property
    def clicks(self) -> int:
        return sum(r.clicks for r in self.rows)

    @property
    def spent_micros(self) -> int:
        return sum(r.spent_micros for r in self.rows)

    @property
    def total(self) -> ReportRow:
        left = self.rows[-1].budget_left_micros if self.rows else 0
        return ReportRow(self.end, self.impressions, self.clicks, self.spent_micros, left)


def report_range(campaign: Campaign, *, today: date | None = None) -> tuple[date, date]:
    """The default range: the campaign's days so far (at most the last 30), or its first day
    if it has not started."""
    today = today or timezone.localdate()
    end = min(campaign.ends_on, today)
    if end < campaign.starts_on:
        return campaign.starts_on, campaign.starts_on
    return max(campaign.starts_on, end - timedelta(days=29)), end


def campaign_report(campaign: Campaign, *, start: date, end: date) -> Report:
    """One row per day from start to end (two queries: the days and the spend before)."""
    end = min(end, start + timedelta(days=MAX_REPORT_DAYS - 1))
    days = {
        d.day: d for d in CampaignDay.objects.filter(campaign=campaign, day__range=(start, end))
    }
    spent_before = (
        CampaignDay.objects.filter(campaign=campaign, day__lt=start).aggregate(
            total=Sum("spent_micros")
        )["total"]
        or 0
    )
    rows, cumulative = [], spent_before
    for n in range((end - start).days + 1):
        day = start + timedelta(n)
        found = days.get(day)
        spent = found.spent_micros if found else 0
        cumulative += spent
        rows.append(
            ReportRow(
                day=day,
                impressions=found.impressions if found else 0,
                clicks=found.clicks if found else 0,
                spent_micros=spent,
                budget_left_micros=campaign.total_budget_micros - cumulative,
            )
        )
    return Report(rows=rows, start=start, end=end)


def ledger_total(campaign_id: int) -> int:
    total = LedgerEntry.objects.filter(campaign_id=campaign_id).aggregate(t=Sum("amount_micros"))
    return int(total["t"] or 0)


def hidden_advertisers(person):
    return (
        HiddenAdvertiser.objects.filter(person=person)
        .select_related("advertiser")
        .order_by("-created_at")
    )


def creative_image_visible_to(viewer, name: str) -> bool:
    """An ad's image is public once staff approved the ad; before that only its advertiser
    and staff (reviewing it in the admin) may see it, so the site cannot host an
    unreviewed upload for anyone."""
    creative = Creative.objects.filter(image=name).select_related("campaign__advertiser").first()
    if creative is None:
        return False
    if creative.review_state == Creative.Review.APPROVED:
        return True
    if not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
        return False
    return viewer.is_staff or creative.campaign.advertiser.user_id == viewer.pk
