"""Exact money and points, and the one rounding rule (docs/evaluation.md, "Rounding").

Points are rounded to 2 decimal places, half up, once per indicator; pounds to the penny, half up,
once per indicator payment. What is rounded is the exact value (a Fraction: see engine/nodes.py), so a
value that is exactly half a penny is rounded up, never lost to a binary or 34-digit remainder. Every total is the sum of the rounded parts it is made of, so the
parts a report prints always add up to the total it prints.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from fractions import Fraction

CENT = Decimal("0.01")
#: Working precision for the unrounded steps (ratios such as CPI and APDF).
PRECISION = 34


def exact() -> Context:
    """A decimal context for intermediate steps: wide enough that only the documented roundings matter."""
    context = Context(prec=PRECISION, rounding=ROUND_HALF_UP)
    return localcontext(context)


def half_up(numerator: int, denominator: int) -> int:
    """⌊numerator / denominator + ½⌋: a non-negative fraction to a whole number, half up — the rule
    itself, in whole numbers, for the paths that count in hundredths and pence."""
    return (2 * numerator + denominator) // (2 * denominator)


def round_half_up(value: Fraction | Decimal) -> Decimal:
    """``value`` to 2 decimal places, half up (away from zero); exact for a Fraction: 7.625 → 7.63."""
    if isinstance(value, Decimal):
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    magnitude = abs(value)
    whole = half_up(magnitude.numerator * 100, magnitude.denominator)
    return Decimal(whole if value >= 0 else -whole).scaleb(-2)


def round_points(points: Fraction | Decimal) -> Decimal:
    return round_half_up(points)


#: Money is added and subtracted in this context: 60 digits hold exactly any sum of payments within
#: the bounds on national figures and practice data (docs/limits.md): one indicator's payment is at
#: most 1,000 points × £1,000 × a CPI of 1,000,000 × an APDF of 1,000,000, 21 digits with the
#: pence. Python's default 28 digits rounded larger sums, losing pennies (and printing 0E+35).
SUMS = Context(prec=60, rounding=ROUND_HALF_UP)


def total(values) -> Decimal:
    """The exact sum of ``values`` (Decimals)."""
    with localcontext(SUMS):
        return sum(values, Decimal(0))


def minus(a: Decimal, b: Decimal) -> Decimal:
    with localcontext(SUMS):
        return a - b


def sums():
    """A ``with`` block in which Decimal sums of money are exact (see SUMS)."""
    return localcontext(SUMS)


def decimal_text(value: Decimal | None) -> str | None:
    """A Decimal as plain digits, never in exponent form ('0E+35', '1E-7'): the one way money,
    points and scheme numbers become text for JSON, CSV and traces."""
    if value is None:
        return None
    return format(value, "f")


def hundredths_text(value: int) -> str:
    """Whole hundredths (of a point, or pence) as :func:`decimal_text` writes them once made a
    Decimal (``decimal_text(Decimal(value).scaleb(-2))``: 12345 -> "123.45", 5 -> "0.05", -5 ->
    "-0.05"), without making the Decimal; tests/test_properties.py holds the two equal."""
    digits = str(-value if value < 0 else value).rjust(3, "0")
    return ("-" if value < 0 else "") + digits[:-2] + "." + digits[-2:]


def pounds(amount: Decimal | None) -> str:
    """£1,234.56 (or — when unknown), for people."""
    if amount is None:
        return "—"
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def money_times(pounds: Decimal, quantity) -> Decimal:
    """``pounds`` × ``quantity`` (a list size, a number of points) to the penny, half up, the
    product made exactly first (SUMS): how a top-up is paid."""
    with localcontext(SUMS):
        return (pounds * Decimal(quantity)).quantize(CENT, rounding=ROUND_HALF_UP)
