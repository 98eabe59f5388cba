"""A scheme's own indicators (``local indicator``), made into indicators of its contract year.

A local alternative (Dudley 2016/17, the Somerset Practice Quality Scheme) or a set of local
indicators on top of QOF (Hammersmith & Fulham's QOF+) has indicators the national contract does
not. Each is read from the data under its own code and scored by the national formula for its
measure (a register kept scores in full; a percentage scores between its thresholds), so once it
is an :class:`~qofrules.contracts.model.Indicator` of the year every check, selector, basis and
both evaluation paths treat it as they treat a national one. What differs is said by
``Indicator.local``: its price, and that national rules pay nothing for it.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from . import ast
from .contracts.model import ContractYear, Figure, Group, Indicator
from .pricing import Pricing

#: The group every local indicator belongs to: never prevalence-adjusted by itself (a local
#: indicator says which national group's prevalence adjusts it, if any), never selected by a
#: national group's name.
LOCAL_GROUP = "LOCAL"
LOCAL_DOMAIN = "local"
SCHEME = "scheme"  # the status of a figure the scheme itself states


@dataclass(frozen=True)
class LocalTerms:
    definition: ast.LocalIndicator
    pricing: Pricing


def complete(local: ast.LocalIndicator) -> bool:
    """Whether the definition says everything evaluation needs (checks/local.py reports what not)."""
    if local.measure is None or local.points is None or local.price is None or local.adjusted is None:
        return False
    return local.measure == ast.REGISTER or local.thresholds is not None


def price_account(local: ast.LocalIndicator) -> str:
    price, adjusted = local.price, local.adjusted
    if price.kind == ast.NATIONAL_PRICE:
        words = "the year's £ per point"
    elif price.kind == ast.PER_POINT:
        words = f"{price.text} a point"
    else:
        words = f"{price.text} for full points"
    parts = (["CPI"] if adjusted.list_size else []) + \
        ([f"APDF of group {adjusted.prevalence_group.text}"] if adjusted.prevalence_group else [])
    return words + (" × " + " × ".join(parts) if parts else ", not adjusted")


def local_pricing(local: ast.LocalIndicator, contract: ContractYear) -> Pricing:
    price, adjusted = local.price, local.adjusted
    if price.kind == ast.NATIONAL_PRICE:
        per_point = Fraction(contract.point_value.value) if contract.point_value.known else Fraction(0)
    elif price.kind == ast.PER_POINT:
        per_point = Fraction(price.pounds)
    else:
        per_point = Fraction(price.pounds) / Fraction(local.points)
    group = adjusted.prevalence_group.text if adjusted.prevalence_group else None
    return Pricing(per_point=per_point, list_size=adjusted.list_size, prevalence_group=group,
                   account=price_account(local))


def _figure(value, local: ast.LocalIndicator, what: str) -> Figure:
    return Figure(value=value, status=SCHEME, source=f"the scheme's local indicator {local.code.text} "
                  f"(line {local.span.line})", note=what)


def as_indicator(local: ast.LocalIndicator, contract: ContractYear) -> Indicator:
    lower, upper = local.thresholds or (None, None)
    fraction = local.measure == ast.PERCENTAGE
    return Indicator(
        code=local.code.text, description=local.title.value, group=LOCAL_GROUP, domain=LOCAL_DOMAIN,
        kind="fraction" if fraction else "register",
        points=_figure(local.points, local, "points"),
        lower=_figure(lower, local, "lower threshold") if fraction else None,
        upper=_figure(upper, local, "upper threshold") if fraction else None,
        local=LocalTerms(definition=local, pricing=local_pricing(local, contract)))


def usable(scheme: ast.Scheme, contract: ContractYear) -> list[ast.LocalIndicator]:
    """The local indicators that can join the year: complete, and not clashing with a national
    code or an earlier local one (each problem is the check's to report)."""
    seen: set[str] = set()
    found = []
    for local in scheme.local_indicators:
        code = local.code.text
        if code in contract.indicators or code in seen or not complete(local):
            continue
        if local.adjusted.prevalence_group and local.adjusted.prevalence_group.text not in contract.groups:
            continue
        seen.add(code)
        found.append(local)
    return found


def with_local_indicators(contract: ContractYear, scheme: ast.Scheme) -> ContractYear:
    """The contract year with the scheme's local indicators added after its own (unchanged when
    the scheme has none). Calling it on a year that already has them adds nothing twice."""
    if not scheme.local_indicators or any(i.is_local for i in contract.indicators.values()):
        return contract
    added = {local.code.text: as_indicator(local, contract) for local in usable(scheme, contract)}
    if not added:
        return contract
    groups = dict(contract.groups)
    groups.setdefault(LOCAL_GROUP, Group(code=LOCAL_GROUP, description="The scheme's local indicators",
                                         prevalence_adjusted=False))
    return contract.with_changes(indicators={**contract.indicators, **added}, groups=groups)


