"""Money as integer micros: 1 currency unit = 1,000,000 micros.

Forms and the API take decimal currency amounts ("0.35") and show them formatted ("$0.35");
everything stored or computed is an int, so sums are exact and no float rounds a price.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError

MICROS = 1_000_000
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def to_micros(amount) -> int:
    """A decimal amount of currency as micros (rounded half up to a whole micro)."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise ValidationError(f"“{amount}” is not an amount of money.") from None
    if not value.is_finite():
        raise ValidationError(f"“{amount}” is not an amount of money.")
    return int((value * MICROS).to_integral_value(rounding=ROUND_HALF_UP))


def from_micros(micros: int) -> Decimal:
    return Decimal(int(micros)) / MICROS


def currency() -> str:
    return getattr(settings, "ADS_CURRENCY", "USD")


def format_money(micros: int | None, places: int = 2) -> str:
    """$1,234.56; `places` more than 2 for per-impression prices ($0.0021)."""
    if micros is None:
        return "\u2013"  # an en dash: no value
    amount = from_micros(micros).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    code = currency()
    sign = "-" if amount < 0 else ""
    number = f"{abs(amount):,.{places}f}"
    symbol = SYMBOLS.get(code)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{number} {code}"


def as_decimal_string(micros: int, places: int = 2) -> str:
    """For the API: "0.35" (at least `places` decimals, more when the micros need them)."""
    amount = from_micros(micros).normalize()
    exponent = -amount.as_tuple().exponent if amount.as_tuple().exponent < 0 else 0
    return f"{from_micros(micros):.{max(places, exponent)}f}"
