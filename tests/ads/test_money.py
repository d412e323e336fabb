"""Money is integer micros; amounts typed by people become micros exactly."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ads.money import as_decimal_string, format_money, to_micros


@pytest.mark.parametrize(
    ("typed", "micros"),
    [("0.35", 350_000), ("12", 12_000_000), (Decimal("0.000001"), 1), ("1.0000005", 1_000_001)],
)
def test_amounts_become_micros_exactly(typed, micros):
    assert to_micros(typed) == micros


@pytest.mark.parametrize("typed", ["abc", "", "NaN", "Infinity"])
def test_what_is_not_money_is_refused_with_a_message(typed):
    with pytest.raises(ValidationError, match="is not an amount of money"):
        to_micros(typed)


def test_micros_read_as_currency(settings):
    settings.ADS_CURRENCY = "USD"
    assert format_money(1_234_560_000) == "$1,234.56"
    assert format_money(2_100, places=4) == "$0.0021"
    assert format_money(None) == "\u2013"
    settings.ADS_CURRENCY = "CHF"
    assert format_money(1_500_000) == "1.50 CHF"


def test_the_api_shows_every_micro_it_has():
    assert as_decimal_string(350_000) == "0.35"
    assert as_decimal_string(12_000_000) == "12.00"
    assert as_decimal_string(1_000_001) == "1.000001"
