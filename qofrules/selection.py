"""Which indicators a selector picks out of a contract year.

Shared by the coverage check and the compiler so that what ``check`` says a rule covers is
exactly what ``run`` pays it on.
"""
from __future__ import annotations

from . import ast
from .contracts.model import ContractYear

DOMAIN_NAMES = {
    "clinical", "public-health", "public-health-additional", "quality-improvement", "organisational",
    "patient-experience", "quality-productivity", "additional-services",
}


def term_codes(term, contract: ContractYear) -> list[str]:
    """Codes of the contract year one selector term names (unknown names simply select nothing)."""
    indicators = contract.indicators
    if isinstance(term, ast.Codes):
        return [c.text for c in term.codes if c.text in indicators]
    if isinstance(term, ast.Groups):
        wanted = {g.text for g in term.groups}
        return [code for code, ind in indicators.items() if ind.group in wanted]
    if isinstance(term, ast.Domains):
        wanted = {d.text for d in term.domains}
        return [code for code, ind in indicators.items() if ind.domain in wanted]
    if isinstance(term, ast.Retiring):
        return [code for code, ind in indicators.items()
                if term.date.value is not None and ind.retirement_date == term.date.value]
    if isinstance(term, ast.AllIndicators):
        return list(indicators)
    return []  # AllOtherIndicators: resolved against the other rules, by coverage()


def selected(selector: ast.Selector, contract: ContractYear, others: set[str] | None = None) -> list[str]:
    """The codes ``selector`` picks, in contract order. ``others`` is what the other rules claim,
    needed to resolve ``all other indicators``."""
    include: set[str] = set()
    for term in selector.include:
        if isinstance(term, ast.AllOtherIndicators):
            include |= set(contract.indicators) - (others or set())
        else:
            include |= set(term_codes(term, contract))
    for term in selector.exclude:
        include -= set(term_codes(term, contract))
    return [code for code in contract.indicators if code in include]


def coverage(rules: tuple[ast.Rule, ...], contract: ContractYear) -> dict[int, list[str]]:
    """For each rule (by index) the codes it pays. Explicit rules first; ``all other indicators``
    then takes whatever no explicit rule claimed. Overlaps are left for the caller to report."""
    result: dict[int, list[str]] = {}
    claimed: set[str] = set()
    for index, rule in enumerate(rules):
        if rule.applies and not rule.applies.selector.is_all_other:
            result[index] = selected(rule.applies.selector, contract)
            claimed |= set(result[index])
    for index, rule in enumerate(rules):
        if rule.applies and rule.applies.selector.is_all_other:
            result[index] = selected(rule.applies.selector, contract, others=claimed)
    return result
