"""`manage.py loop_report`: the numbers that show the flywheel turns, and what it does to the
whole. Tables on the terminal; `--json` for machines. See bots.report and docs/simulation.md."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from bots.report import build_report, default_range


def _table(headers: list[str], rows: list[list]) -> list[str]:
    cells = [headers, *[[str(cell) for cell in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        padded = [
            cell.rjust(width) if i else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(padded))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def _percent(value) -> str:
    return "-" if value is None else f"{value:.2%}"


def _number(value, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _engagement_rows(arms: dict) -> list[list]:
    return [
        [
            arm or "(no arm)",
            f"{row['people']:,}",
            f"{row['sessions']:,}",
            f"{row['impressions']:,}",
            _percent(row["likes_per_impression"]),
            _percent(row["shares_per_impression"]),
            _percent(row["comments_per_impression"]),
            f"{row['dwell_ms_per_session'] / 1000:.1f}",
            f"{row['posts']:,}",
        ]
        for arm, row in arms.items()
    ]


ENGAGEMENT = ["arm", "bots", "sessions", "impressions", "likes/imp", "shares/imp",
              "comments/imp", "dwell s/session", "posts"]  # fmt: skip


class Command(BaseCommand):
    help = "Show whether the flywheel turns (engagement, models against the truth, effects)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=24, help="the last N hours (24)")
        parser.add_argument("--since", help="start of the range (ISO 8601, with a time zone)")
        parser.add_argument("--until", help="end of the range (ISO 8601; default now)")
        parser.add_argument("--windows", type=int, default=4, help="time windows (4)")
        parser.add_argument("--sample", type=int, default=300, help="bots sampled per arm (300)")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, hours, since, until, windows, sample, seed, **options):
        start, end = default_range(hours)
        if since:
            start = self._moment(since)
        if until:
            end = self._moment(until)
        if end <= start:
            raise CommandError("The range is empty: --until must come after --since.")
        report = build_report(start=start, end=end, windows=windows, sample=sample, seed=seed)
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        for line in self.render(report):
            self.stdout.write(line)

    def _moment(self, text: str):
        moment = parse_datetime(text)
        if moment is None or moment.tzinfo is None:
            raise CommandError(f"“{text}” is not an ISO 8601 time with a time zone.")
        return moment

    def render(self, report: dict) -> list[str]:
        out = [f"Loop report, {report['start']} to {report['end']} "
               f"({report['events']:,} events; control arm: {report['control']})", ""]  # fmt: skip
        out.append("In short")
        out += [f"  - {sentence}" for sentence in report["verdicts"]]
        out += ["", "Engagement of the bots by arm, whole range"]
        out += _table(ENGAGEMENT, _engagement_rows(report["arms"]))
        for window in report["windows"]:
            out += [
                "",
                f"Window {window['start'][:19]} to {window['end'][:19]}: "
                f"{window['active_bots']:,} active bots, {window['signups']:,} sign-ups, "
                f"{window['churned']:,} churned",
            ]
            out += _table(ENGAGEMENT, _engagement_rows(window["arms"]))
        out += [
            "",
            f"Arms against the control ({report['control']}) unless a row names another arm, "
            "95% intervals",
        ]
        rows = []
        for arm, lifts in report["lifts"].items():
            for rate, lift in lifts.items():
                interval = (
                    "-" if lift["lift"] is None
                    else f"{lift['lift']:+.0%} [{lift['low']:+.0%}, {lift['high']:+.0%}]"
                )  # fmt: skip
                rows.append([arm, rate.replace("_", " "), interval,
                             "yes" if lift["significant"] else "no"])  # fmt: skip
        out += _table(["arm", "measure", "lift [95% CI]", "not noise"], rows)
        out += ["", "Sponsored posts by arm (the ad targeter learns from these clicks)"]
        out += _table(
            ["arm", "ad impressions", "ad clicks", "ad CTR", "ad load", "revenue"],
            [
                [arm or "(no arm)", f"{a['ad_impressions']:,}", f"{a['ad_clicks']:,}",
                 _percent(a["ad_click_rate"]), _percent(a["ad_load"]), a["revenue"]]
                for arm, a in report["ads"].items()
            ],
        )  # fmt: skip
        out += ["", "Feed model versions that served, judged against the truth"]
        out += _table(
            ["version", "activated", "trigger", "from this range", "users x posts",
             "held-out recall@20", "popularity", "truth recall@20", "on first posts",
             "on newer posts", "utility vs true top 20"],
            [
                [f"v{m['version']}", m["activated_at"][:19], m["triggered_by"],
                 "yes" if m["learned_from_this_range"] else "no",
                 f"{m['users']:,} x {m['items']:,}", _number(m["heldout_recall"]),
                 _number(m["baseline_recall"]), _number(m["truth_recall"]),
                 _number(m["truth_recall_first_posts"]), _number(m["truth_recall_new_posts"]),
                 _percent(m["truth_utility_ratio"])]
                for m in report["models"]
            ],
        )  # fmt: skip
        out += ["", "What the loop does to the whole (per arm; ideal = ordered by true utility)"]
        out += _table(
            ["arm", "bots", "exposure Gini", "top 1% authors", "homogenisation",
             "vs ideal", "topic entropy (bits)", "utility consumed", "vs ideal"],
            [
                [arm, f"{e['bots']:,}", _number(e["exposure_gini"]),
                 _percent(e["top_author_share"]), _number(e["homogenisation"]),
                 "-" if e["homogenisation_vs_ideal"] is None
                 else f"{e['homogenisation_vs_ideal']:+.3f}",
                 _number(e["topic_entropy"], 2), _number(e["utility"]),
                 _percent(e["utility_vs_ideal"])]
                for arm, e in report["effects"].items()
            ],
        )  # fmt: skip
        if report.get("utility_differences"):
            out += ["", "True utility consumed per post, between arms (difference, 95% interval)"]
            out += _table(
                ["arm", "against", "difference", "interval", "bots"],
                [
                    [row["arm"], row["against"], f"{row['difference']:+.3f}",
                     f"{row['low']:+.3f} to {row['high']:+.3f}", f"{row['bots']:,}"]
                    for row in report["utility_differences"].values()
                ],
            )  # fmt: skip
        return out
