"""Payments beside the indicators: top-ups and floors (docs/evaluation.md, "Top-ups and floors").

The whole run (fastpath) and a practice in full (exact.evaluate_practice) compute what each
indicator pays, then call :func:`practice_adjustments` for each eligible practice with the
totals they made, so a top-up or a floor has one definition.

- A **top up** adds money: £N per patient (the practice's list size), per practice, or per point
  the practice is paid under the scheme (its scheme points, summed after rounding); or each
  practice's own sum, which the data holds in a practice attribute (pounds and pence).
- A **floor** lifts what the practice is paid for the year's national indicators to at least what
  the floor's basis pays for them at this year's prices (each indicator rounded and priced as the
  scheme's own payments are). The shortfall, if any, is paid on top; a floor never takes money away.

Adjustments apply in the order written, each to eligible practices that meet its ``only when``
condition. Each amount is rounded to the penny, half up. An amount that cannot be computed (a
floor whose basis lacks data) leaves the practice's scheme payment unknown, never a guess.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .. import ast
from ..eligibility import evaluate as condition_holds
from ..money import CENT, minus, money_times, total

TOP_UP = "top up"
FLOOR = "floor"


@dataclass(slots=True)
class AdjustmentResult:
    title: str
    kind: str                 # TOP_UP or FLOOR
    payment: Decimal | None   # to the penny; None when it cannot be computed
    account: str
    missing: tuple[str, ...] = ()

    def to_plain(self) -> dict:
        out = {"title": self.title, "kind": self.kind,
               "payment": None if self.payment is None else format(self.payment, "f"), "account": self.account}
        if self.missing:
            out["missing"] = list(self.missing)
        return out


#: the most a practice's own sum (``amount: £ from practice attribute``) may be: docs/limits.md
MAX_PRACTICE_SUM = Decimal("100000000")
_POUNDS = re.compile(r"£?([0-9]{1,3}(,[0-9]{3})+|[0-9]{1,12})(\.[0-9]{1,2})?")


def practice_sum(practice, attribute: ast.Name) -> tuple[Decimal | None, str]:
    """A practice's own sum of money from its attribute, and what to say of it: None (with the
    reason) where it is not recorded or is not pounds and pence, never a guess."""
    raw = practice.attributes.get(attribute.text.lower(), "")
    text = (raw or "").strip()
    if not text:
        return None, f"practice attribute {attribute.text} is not recorded"
    if not _POUNDS.fullmatch(text):
        return None, f"practice attribute {attribute.text} is {text!r}, not a sum of pounds and pence"
    pounds = Decimal(text.lstrip("£").replace(",", ""))
    if pounds > MAX_PRACTICE_SUM:
        return None, f"practice attribute {attribute.text} is {text}, above the £100,000,000 a practice's sum may be"
    return pounds, ""


def _top_up(adjustment: ast.TopUp, practice, scheme_points: Decimal | None) -> AdjustmentResult:
    amount = adjustment.amount
    title = adjustment.title.value
    list_size = practice.list_size
    if amount.unit == ast.FROM_ATTRIBUTE:
        pounds, why = practice_sum(practice, amount.attribute)
        if pounds is None:
            return AdjustmentResult(title, TOP_UP, None, f"£ from practice attribute {amount.attribute.text}: {why}",
                                    (why,))
        paid = money_times(pounds, 1)
        return AdjustmentResult(title, TOP_UP, paid,
                                f"£{paid:,.2f} from practice attribute {amount.attribute.text}")
    if amount.unit == ast.PER_PRACTICE:
        return AdjustmentResult(title, TOP_UP, money_times(amount.pounds, 1), f"{amount.text} per practice")
    if amount.unit == ast.PER_PATIENT:
        paid = money_times(amount.pounds, list_size)
        return AdjustmentResult(title, TOP_UP, paid, f"{amount.text} × {list_size:,} patients = £{paid:,.2f}")
    if scheme_points is None:
        return AdjustmentResult(title, TOP_UP, None, f"{amount.text} per point: the scheme's points are unknown",
                                ("the practice's scheme points",))
    paid = money_times(amount.pounds, scheme_points)
    return AdjustmentResult(title, TOP_UP, paid, f"{amount.text} × {scheme_points} points = £{paid:,.2f}")


def _floor(adjustment: ast.Floor, basis_text: str, floor_total: Decimal | None, national_paid: Decimal | None,
           missing: tuple[str, ...]) -> AdjustmentResult:
    title = adjustment.title.value
    if floor_total is None or national_paid is None:
        why = "the floor's basis" if floor_total is None else "the national indicators' payment"
        return AdjustmentResult(title, FLOOR, None, f"at least {basis_text}: {why} cannot be computed", missing)
    shortfall = max(minus(floor_total, national_paid), Decimal("0.00"))
    if shortfall:
        account = (f"at least {basis_text} = £{floor_total:,.2f}; the national indicators pay £{national_paid:,.2f}: "
                   f"£{shortfall:,.2f} paid on top")
    else:
        account = (f"at least {basis_text} = £{floor_total:,.2f}; the national indicators pay £{national_paid:,.2f}, "
                   "no less: nothing on top")
    return AdjustmentResult(title, FLOOR, shortfall.quantize(CENT), account)


def practice_adjustments(tree, practice, eligible: bool, *, national_paid: Decimal | None,
                         scheme_points: Decimal | None, floor_totals: list) -> tuple[AdjustmentResult, ...]:
    """What each top-up and floor pays ``practice``. ``national_paid``: the scheme's payment for the
    year's national indicators (plus earlier adjustments, as they apply); ``scheme_points``: the
    practice's scheme points; ``floor_totals``: per floor of ``tree.floors``, (£ total of its basis,
    what was missing)."""
    if not eligible or not tree.scheme.adjustments:
        return ()
    found = []
    running = national_paid
    floors = iter(zip(tree.floors, floor_totals))
    for adjustment in tree.scheme.adjustments:
        own_sum = isinstance(adjustment, ast.Floor) and adjustment.at_least.attribute is not None
        floor_plan, floor_total = (next(floors) if isinstance(adjustment, ast.Floor) and not own_sum
                                   else (None, None))
        condition = adjustment.only_when
        if condition is not None and not condition_holds(condition, practice).value:
            found.append(AdjustmentResult(adjustment.title.value,
                                          FLOOR if isinstance(adjustment, ast.Floor) else TOP_UP,
                                          Decimal("0.00"), "not paid: the practice does not meet its condition"))
            continue
        if own_sum:
            attribute = adjustment.at_least.attribute
            pounds, why = practice_sum(practice, attribute)
            result = _floor(adjustment, f"£ from practice attribute {attribute.text}", pounds, running,
                            (why,) if pounds is None else ())
        elif floor_plan is None:
            result = _top_up(adjustment, practice, scheme_points)
        else:
            amount, missing = floor_total
            result = _floor(adjustment, floor_plan.text, amount, running, missing)
        found.append(result)
        running = None if running is None or result.payment is None else total([running, result.payment])
    return tuple(found)
