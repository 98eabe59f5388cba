"""Exact money and points, and the one rounding rule (docs/evaluation.md, "Rounding").

Points are rounded to 2 decimal places, half up, once per indicator; pounds to the penny, half up,
once per indicator payment. Every total is the sum of the rounded parts it is made of, so the
parts a report prints always add up to the total it prints.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

CENT = Decimal("0.01")
#: Working precision for the unrounded steps (ratios such as CPI and APDF).
PRECISION = 34


def exact() -> Context:
    """A decimal context for intermediate steps: wide enough that only the documented roundings matter."""
    context = Context(prec=PRECISION, rounding=ROUND_HALF_UP)
    return localcontext(context)


def round_points(points: Decimal) -> Decimal:
    return points.quantize(CENT, rounding=ROUND_HALF_UP)


def round_pounds(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def pounds(amount: Decimal | None) -> str:
    """£1,234.56 (or — when unknown), for people."""
    if amount is None:
        return "—"
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"
