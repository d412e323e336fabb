"""The one SVG chart helper every dashboard draws with: round ticks, time axes, units,
legends, accessible titles and descriptions, escaping, and the template tags."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template

from flywheel import charts
from flywheel.chart_scales import (
    COUNT,
    PERCENT,
    SECONDS,
    Unit,
    money,
    nice_ticks,
    time_ticks,
    unit_named,
)

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "low, high, expected",
    [
        (0, 0.042, [0, 0.01, 0.02, 0.03, 0.04, 0.05]),
        (0, 1234, [0, 250, 500, 750, 1000, 1250]),
        (0, 0, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (-0.2, 0.6, [-0.2, 0, 0.2, 0.4, 0.6]),
    ],
)
def test_ticks_are_round_and_cover_the_data(low, high, expected):
    assert nice_ticks(low, high) == pytest.approx(expected)


def test_time_ticks_fall_on_whole_hours_or_days():
    hourly = time_ticks(T0 + timedelta(minutes=30), T0 + timedelta(hours=23))
    assert all(t.minute == 0 and t.hour % 6 == 0 for t in hourly)
    daily = time_ticks(T0, T0 + timedelta(days=6), min_step=timedelta(days=1))
    assert daily == [T0 + timedelta(days=n) for n in range(7)]
    month = time_ticks(T0, T0 + timedelta(days=89), min_step=timedelta(days=1))
    assert len(month) <= 7 and all(t.hour == 0 for t in month)


@pytest.mark.parametrize(
    "unit, value, text",
    [
        (COUNT, 1234, "1,234"),
        (COUNT, 0.5, "0.50"),
        (PERCENT, 0.0423, "4.2%"),
        (SECONDS, 4.25, "4.2 s"),
        (SECONDS, 186, "3.1 min"),
        (money("€"), 1234.5, "€1,234.50"),
        (Unit(kind="version"), 12, "v12"),
        (Unit(decimals=3), 0.31, "0.310"),
        (COUNT, None, "\u2013"),
    ],
)
def test_values_read_with_their_unit(unit, value, text):
    assert unit.format(value) == text


def test_large_numbers_shorten_for_ticks_and_names_label_bare_numbers():
    assert COUNT.short(12_345) == "12.3k" and money("$").short(2_500_000) == "$2.5M"
    assert Unit(name="bits", decimals=2).labelled(2.9) == "2.90 bits"
    assert unit_named("money:£").format(3) == "£3.00" and unit_named("percent") is PERCENT


def hourly_series(label, values):
    return charts.Series(label, [(T0 + timedelta(hours=n), v) for n, v in enumerate(values)])


def test_a_line_chart_has_axes_a_legend_and_says_what_it_shows():
    svg = charts.line_chart(
        [hourly_series("personalised", [0.03, 0.04, None, 0.05]),
         hourly_series("chronological", [0.02, 0.02, 0.03, 0.03])],
        title="Likes per impression", unit=PERCENT,
    )  # fmt: skip
    assert svg.startswith('<svg class="chart chart--line"') and 'role="img"' in svg
    assert "<title" in svg and "Likes per impression" in svg
    assert "Latest: personalised 5.0%; chronological 3.0%." in svg
    assert ">Likes per impression (%)<" in svg  # the axis title with its unit
    assert ">4%<" in svg and ">00:00<" in svg and ">Mar 2<" in svg  # ticks and the date
    assert svg.count("<path") == 3  # the gap splits the first line in two
    assert "personalised, Mar 2 01:00: 4.0%" in svg  # each point's exact value


def test_daily_data_is_labelled_by_date_only():
    days = charts.Series("revenue", [(T0 + timedelta(days=n), n) for n in range(7)])
    svg = charts.line_chart([days], title="Revenue", unit=money("$"))
    assert ">00:00<" not in svg and ">Mar 8<" in svg


def test_a_long_legend_moves_to_its_own_row():
    many = [hourly_series(f"a rather long arm name {n}", [1, 2]) for n in range(4)]
    short = charts.line_chart(many[:1], title="x")
    tall = charts.line_chart(many, title="An axis title that takes room")
    height = re.compile(r'viewBox="0 0 640 (\d+)"')
    assert int(height.search(tall).group(1)) > int(height.search(short).group(1))


def test_bars_with_intervals_and_horizontal_bars():
    svg = charts.bar_chart(
        ["control", "treatment"],
        [charts.Bars("likes", [0.05, 0.08], [0.04, 0.07], [0.06, 0.09])],
        title="Likes by arm", unit=PERCENT,
    )  # fmt: skip
    assert svg.count("<rect") == 2
    assert "treatment, likes: 8.0% (95% interval 7.0% to 9.0%)" in svg
    wide = charts.bar_chart(["a campaign with a long name"], [charts.Bars("spend", [3.5])],
                            title="Spend", unit=money("$"), horizontal=True)  # fmt: skip
    assert ">$3.50<" in wide


def test_no_data_draws_a_labelled_empty_frame():
    svg = charts.line_chart([hourly_series("x", [None, None])], title="Nothing")
    assert "No data for this period yet." in svg and 'role="img"' in svg
    assert "no data yet" in charts.sparkline([], title="Events")


def test_labels_are_escaped():
    svg = charts.bar_chart(["<script>alert(1)</script>"], [charts.Bars("<b>", [1])], title="<i>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "<b>" not in svg


def test_a_sparkline_can_stretch_to_its_card():
    fixed = charts.sparkline([1, 3, 2], title="Events per hour")
    stretched = charts.sparkline([1, 3, 2], title="Events per hour", stretch=True)
    assert 'preserveAspectRatio="none"' in stretched and "preserveAspectRatio" not in fixed
    assert "first 1, highest 3, latest 2" in fixed


def test_the_template_tags_draw_with_the_same_helper():
    rendered = Template(
        "{% load charts %}{% sparkline values 'Posts per hour' unit='percent' %}"
        "{% line_chart series 'Impressions' %}{% bar_chart names bars 'By arm' %}"
    ).render(
        Context(
            {
                "values": [0.1, 0.2],
                "series": [hourly_series("all", [3, 4])],
                "names": ["a"],
                "bars": [charts.Bars("n", [2])],
            }
        )
    )
    assert rendered.count("<svg") == 3 and "latest 20.0%" in rendered


def test_tick_labels_are_round_numbers_written_exactly():
    """Ticks every $0.25 read $0.00, $0.25, $0.50, $0.75, not $0.0, $0.2, $0.5, $0.8."""
    days = charts.Series(
        "revenue", [(T0 + timedelta(days=n), v) for n, v in enumerate([0, 0.4, 1.1])]
    )
    svg = charts.line_chart([days], title="Revenue", unit=money("$"))
    for label in (">$0.00<", ">$0.25<", ">$0.50<", ">$0.75<"):
        assert label in svg
    assert ">$0.2<" not in svg and ">$0.8<" not in svg
    shares = charts.line_chart([hourly_series("x", [0.0, 0.0125])], title="x", unit=PERCENT)
    assert ">0.25%<" in shares and ">0.2%<" not in shares


def test_one_day_is_drawn_readably_and_labelled_like_the_others():
    """A one-day series: the point in the middle with its value written by it, and the day
    labelled by its date (as daily charts of several days are), not by an hour."""
    one_day = charts.Series("revenue", [(T0, 2.79)])
    svg = charts.line_chart([one_day], title="Revenue", unit=money("$"))
    assert ">Mar 2<" in svg and ">00:00<" not in svg and ">12:00<" not in svg
    cx = float(re.search(r'<circle cx="([\d.]+)"', svg).group(1))
    assert 200 < cx < 500  # the middle of a 640-wide chart, not its left edge
    assert ">$2.79<" in svg  # the value is written, not only in a tooltip
    assert "for Mar 2" in svg  # the description names the day
