"""The loop report: does the flywheel turn, and what does it do to the whole?

Over a time range split into windows, for the bots (whose truth we know):

- engagement per window and experiment arm (analytics.engagement, the one definition), with
  active bots, sign-ups and churn;
- the arms compared with the control on likes, shares, comments and clicks per impression,
  each lift with its 95% interval (analytics.metrics);
- every feed model version that served in the range: what it was trained on, its held-out
  recall beside the popularity baseline's, and its recall@20 against the truth (bots.quality);
- system-level effects per arm (bots.effects), homogenisation and utility also relative to the
  bots-only ideal arm;
- true utility consumed compared between arms: each arm against the control, and the learned
  arm against the personalised one, as a difference of means with its 95% interval;
- how soon the posts made in the range reached feeds through the model (bots.fresh_reach).
"""

import itertools
from datetime import datetime, timedelta

from django.db.models import Max, Min

from accounts.models import User
from ads.money import as_decimal_string
from ads.selectors import spend_by_person
from analytics import metrics
from analytics.engagement import ArmEngagement, arms_of_people, engagement_by_arm
from bots.effects import arm_effects
from bots.fresh_reach import fresh_reach, fresh_reach_verdict
from bots.ideal import IDEAL_ARM
from bots.models import BotProfile
from bots.quality import score_version
from events.models import Event, EventKind
from feeds.models import FeedArm, ModelKind, ModelVersion

RATES = ("likes", "shares", "comments", "clicks")


LEARNED_ARM, PERSONALISED_ARM = "personalised-learned", "personalised"


def control_arm() -> str:
    name = FeedArm.objects.filter(is_control=True).order_by("name").values_list("name", flat=True)
    return name.first() or "chronological"


def split(start: datetime, end: datetime, windows: int) -> list[tuple[datetime, datetime]]:
    step = (end - start) / max(windows, 1)
    bounds = [start + step * i for i in range(max(windows, 1))] + [end]
    return list(itertools.pairwise(bounds))


def _engagement_row(engagement: ArmEngagement) -> dict:
    row = engagement.as_dict()
    row["likes_interval"] = metrics.rate_interval(engagement.likes, engagement.impressions).__dict__
    return row


def _window(start, end, bots) -> dict:
    by_arm = engagement_by_arm(start=start, end=end, user_ids=bots)
    total = ArmEngagement.total(by_arm.values())
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "arms": {arm: _engagement_row(value) for arm, value in sorted(by_arm.items())},
        "all": _engagement_row(total),
        "active_bots": total.people,
        "signups": Event.objects.filter(
            kind=EventKind.SIGNUP, user__is_bot=True, created_at__gte=start, created_at__lt=end
        ).count(),
        "churned": BotProfile.objects.filter(churned_at__gte=start, churned_at__lt=end).count(),
    }


def _lifts(by_arm: dict[str, ArmEngagement], control: str) -> dict:
    """Each arm's rates against the control's (keyed by the arm), and the learned arm's
    against the personalised arm's (keyed "personalised-learned vs personalised"): the
    comparison the learned ranker is judged by."""
    pairs = [(arm, control, arm) for arm in sorted(by_arm) if arm not in (control, "")]
    pairs.append((LEARNED_ARM, PERSONALISED_ARM, f"{LEARNED_ARM} vs {PERSONALISED_ARM}"))
    lifts = {}
    for arm, against, key in pairs:
        if arm in by_arm and against in by_arm:
            lifts[key] = _rate_lifts(by_arm[arm], by_arm[against], arm, against)
    return lifts


def _rate_lifts(engagement: ArmEngagement, base: ArmEngagement, arm: str, against: str) -> dict:
    lifts = {}
    for rate in RATES:
        lift = metrics.rate_lift(
            getattr(engagement, rate), engagement.impressions,
            getattr(base, rate), base.impressions,
        )  # fmt: skip
        lifts[f"{rate}_per_impression"] = {
            "lift": None if lift is None else lift.lift,
            "low": None if lift is None else lift.low,
            "high": None if lift is None else lift.high,
            "significant": bool(lift and lift.significant),
            "verdict": metrics.lift_verdict(arm, against, f"{rate} per impression", lift),
        }
    return lifts


def _ads(start, end, bots, by_arm: dict[str, ArmEngagement]) -> dict:
    """Per arm: sponsored items shown and clicked, the share of the feed they took, and the
    revenue they earned (ledger charges for the arm's bots)."""
    arm_of = arms_of_people(start=start, end=end, user_ids=bots)
    revenue: dict[str, int] = {}
    for person, micros in spend_by_person(start, end, bots.values("id")).items():
        arm = arm_of.get(person, "")
        revenue[arm] = revenue.get(arm, 0) + micros
    return {
        arm: {
            "ad_impressions": engagement.ad_impressions,
            "ad_clicks": engagement.ad_clicks,
            "ad_click_rate": engagement.ad_click_rate,
            "ad_load": engagement.ad_load,
            "revenue": as_decimal_string(revenue.get(arm, 0)),
        }
        for arm, engagement in sorted(by_arm.items())
    }


def _models(start, end, first_event_id: int | None, sample: int) -> list[dict]:
    """Feed versions that served at some time in the range (the one serving at its start,
    and every one activated in it), oldest first."""
    activated = list(
        ModelVersion.objects.filter(
            kind=ModelKind.FEED_ALS, activated_at__isnull=False, activated_at__lt=end
        ).order_by("activated_at", "id")
    )
    before = [v for v in activated if v.activated_at < start][-1:]
    versions = before + [v for v in activated if v.activated_at >= start]
    rows = []
    for version in versions:
        score = score_version(version, sample=sample)
        metrics_of = version.metrics or {}
        rows.append(
            {
                "version": version.pk,
                "state": version.state,
                "triggered_by": version.triggered_by,
                "activated_at": version.activated_at.isoformat(),
                "max_event_id": version.max_event_id,
                "learned_from_this_range": bool(
                    first_event_id is not None and version.max_event_id >= first_event_id
                ),
                "users": version.users,
                "items": version.items,
                "heldout_recall": (metrics_of.get("model") or {}).get("recall@20"),
                "baseline_recall": (metrics_of.get("baseline") or {}).get("recall@20"),
                "truth_recall": score.recall if score else None,
                "truth_utility_ratio": score.utility_ratio if score else None,
                "truth_recall_first_posts": score.first_posts_recall if score else None,
                "truth_recall_new_posts": score.new_posts_recall if score else None,
                "truth_bots": score.bots if score else 0,
            }
        )
    return rows


def build_report(
    *, start: datetime, end: datetime, windows: int = 4, sample: int = 300, seed: int = 0
) -> dict:
    bots = User.objects.filter(is_bot=True)
    control = control_arm()
    in_range = Event.objects.filter(created_at__gte=start, created_at__lt=end)
    ids = in_range.aggregate(first=Min("id"), last=Max("id"))
    overall = engagement_by_arm(start=start, end=end, user_ids=bots)
    effects = arm_effects(start=start, end=end, bots=bots, sample=sample, seed=seed)
    ideal = effects.get(IDEAL_ARM)
    models = _models(start, end, ids["first"], sample)
    report = {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "control": control,
        "events": in_range.count(),
        "first_event_id": ids["first"],
        "windows": [_window(a, b, bots) for a, b in split(start, end, windows)],
        "arms": {arm: _engagement_row(value) for arm, value in sorted(overall.items())},
        "lifts": _lifts(overall, control),
        "ads": _ads(start, end, bots, overall),
        "models": models,
        "effects": {
            arm: {
                **value.as_dict(),
                "homogenisation_vs_ideal": (
                    value.homogenisation - ideal.homogenisation if ideal else None
                ),
                "utility_vs_ideal": (
                    value.utility / ideal.utility if ideal and ideal.utility else None
                ),
            }
            for arm, value in sorted(effects.items())
        },
    }
    report["utility_differences"] = utility_differences(effects, control)
    report["fresh_reach"] = fresh_reach(start, end)
    report["verdicts"] = verdicts(report)
    return report


def utility_differences(effects: dict, control: str) -> dict[str, dict]:
    """Mean true utility consumed per bot, arm minus arm, with its 95% interval: every arm
    against the control, and the learned arm against the personalised one."""
    pairs = [(arm, control) for arm in sorted(effects) if arm not in (control, IDEAL_ARM)]
    if LEARNED_ARM in effects and PERSONALISED_ARM in effects:
        pairs.append((LEARNED_ARM, PERSONALISED_ARM))
    compared = {}
    for arm, other in pairs:
        if other not in effects:
            continue
        difference = metrics.mean_difference(effects[arm].utilities, effects[other].utilities)
        if difference is not None:
            compared[f"{arm} vs {other}"] = {
                "arm": arm,
                "against": other,
                "difference": difference.value,
                "low": difference.low,
                "high": difference.high,
                "bots": difference.n,
            }
    return compared


def _catalogue_verdict(first: dict, last: dict) -> list[str]:
    """Recall over the first served version's posts, which do not grow, beside the whole
    catalogue's: it tells a model that forgets the tastes from a catalogue that grew."""
    before, after = first["truth_recall_first_posts"], last["truth_recall_first_posts"]
    if before is None or after is None:
        return []
    trend = "better" if after > before else "not better"
    new = last["truth_recall_new_posts"]
    newer = "" if new is None else f"; among the posts made since, v{last['version']}: {new:.3f}"
    return [
        f"On the posts the first version knew (a catalogue that does not grow), "
        f"v{last['version']} knows the bots {trend} than v{first['version']}: recall@20 "
        f"{before:.3f} -> {after:.3f}{newer}."
    ]


def verdicts(report: dict) -> list[str]:
    """The report in plain sentences."""
    said = []
    learned = [m for m in report["models"] if m["learned_from_this_range"]]
    names = ", ".join(f"v{m['version']}" for m in learned) or "none"
    said.append(
        f"{len(learned)} model version(s) trained on this range's activity went live ({names})."
    )
    scored = [m for m in report["models"] if m["truth_recall"] is not None]
    if len(scored) >= 2:
        first, last = scored[0], scored[-1]
        trend = "better" if last["truth_recall"] > first["truth_recall"] else "not better"
        said.append(
            f"Against the truth, v{last['version']} knows the bots {trend} than "
            f"v{first['version']}: recall@20 {first['truth_recall']:.3f} -> "
            f"{last['truth_recall']:.3f}."
        )
        said.extend(_catalogue_verdict(first, last))
    for lifts in report["lifts"].values():
        said.append(lifts["likes_per_impression"]["verdict"])
    for arm, effects in report["effects"].items():
        if effects["homogenisation_vs_ideal"] is not None and arm != IDEAL_ARM:
            said.append(
                f"{arm}: consumption {effects['homogenisation_vs_ideal']:+.3f} Jaccard vs ideal "
                f"(homogenisation), {effects['utility_vs_ideal'] or 0:.0%} of ideal utility, "
                f"exposure Gini {effects['exposure_gini']:.2f}, "
                f"{effects['topic_entropy']:.2f} bits of topics shown."
            )
    for row in report.get("utility_differences", {}).values():
        clear = row["low"] > 0 or row["high"] < 0
        words = ("more" if row["difference"] > 0 else "less") if clear else "no clearly different"
        said.append(
            f"{row['arm']} consumed {words} true utility than {row['against']}: "
            f"{row['difference']:+.3f} per post (95% interval {row['low']:+.3f} to "
            f"{row['high']:+.3f}, {row['bots']} bots)."
        )
    if "fresh_reach" in report:
        said.append(fresh_reach_verdict(report["fresh_reach"]))
    return said


def default_range(hours: float) -> tuple[datetime, datetime]:
    from django.utils import timezone

    end = timezone.now()
    return end - timedelta(hours=hours), end
