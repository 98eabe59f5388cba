"""What one point of an indicator is worth to one practice: the single definition both
evaluation paths use.

A national indicator's point is the year's £ per point, times the practice's CPI (its list size
over the national average), times its APDF where the indicator's group is prevalence-adjusted.
A local indicator (``local indicator`` in a scheme) says its own price and what it is adjusted
for (docs/evaluation.md, "Local indicators"). Either way the price is three facts — pounds per
point, whether list size adjusts it, and which group's prevalence does — from which the engine
computes one product (engine/indicator.py, Price).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .contracts.model import ContractYear, Indicator


@dataclass(frozen=True)
class Pricing:
    per_point: Fraction            # £ per point before adjustment
    list_size: bool                # × CPI (list size / national average list size)
    prevalence_group: str | None   # × APDF of this group of the contract year, or None
    account: str                   # how a reader is told the price, e.g. "£125 a point, not adjusted"

    def base_factor(self, contract: ContractYear, list_size: int) -> Fraction:
        """£ per point × CPI (where it applies): the factor before any APDF."""
        if not self.list_size:
            return self.per_point
        return self.per_point * Fraction(list_size) / Fraction(contract.average_list_size.value)


def pricing(contract: ContractYear, indicator: Indicator) -> Pricing:
    """The price of a point of ``indicator`` (national, or the scheme's own for a local one)."""
    if indicator.is_local:
        return indicator.local.pricing
    group = contract.groups[indicator.group]
    return Pricing(per_point=Fraction(contract.point_value.value), list_size=True,
                   prevalence_group=indicator.group if group.prevalence_adjusted else None,
                   account="the year's £ per point × CPI" + (" × APDF" if group.prevalence_adjusted else ""))
