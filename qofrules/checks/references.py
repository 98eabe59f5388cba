"""References: indicator codes, groups, domains and dates that the contract year actually has."""
from __future__ import annotations

import functools

from .. import ast
from ..diagnostics import Later, did_you_mean, error, warning
from ..selection import DOMAIN_NAMES


def _selectors(scheme):
    for rule in scheme.rules:
        if rule.applies is not None:
            selector = rule.applies.selector
            for term in selector.include + selector.exclude:
                yield rule, term


def check(ctx):
    contract, source = ctx.contract, ctx.source
    indicators, groups = contract.indicators, contract.groups
    retirement_dates = sorted({str(i.retirement_date) for i in indicators.values() if i.retirement_date})
    for rule, term in _selectors(ctx.scheme):
        if isinstance(term, ast.Codes):
            for code in term.codes:
                if code.text not in indicators:
                    hint = Later(functools.partial(_code_hint, code.text, indicators, groups))
                    if contract.complete:
                        yield error("QR212", f"{contract.key} has no indicator {code.text}", source=source,
                                    span=code.span, hint=hint)
                    else:
                        yield _not_listed(contract, source, code, "indicator", "QR212", hint)
        elif isinstance(term, ast.Groups):
            for group in term.groups:
                if group.text not in groups:
                    hint = Later(functools.partial(_group_hint, group.text, indicators, groups))
                    if contract.complete:
                        yield error("QR213", f"{contract.key} has no indicator group {group.text}", source=source,
                                    span=group.span, hint=hint)
                    else:
                        yield _not_listed(contract, source, group, "indicator group", "QR213", hint)
        elif isinstance(term, ast.Domains):
            for domain in term.domains:
                if domain.text not in DOMAIN_NAMES:
                    yield error("QR214", f"'{domain.text}' is not a QOF domain", source=source, span=domain.span,
                                hint=did_you_mean(domain.text, DOMAIN_NAMES, quote=True))
                elif domain.text not in contract.domains:
                    yield warning("QR214", f"{contract.key} has no indicators in the {domain.text} domain",
                                  source=source, span=domain.span,
                                  hint="its domains: " + ", ".join(contract.domains))
        elif isinstance(term, ast.Retiring) and term.date.value is not None:
            if str(term.date.value) not in retirement_dates:
                unknown_dates = [c for c, i in indicators.items() if i.retires is not None and i.retires.value is None]
                if retirement_dates:
                    hint = "retirement dates in the data: " + ", ".join(retirement_dates)
                else:
                    hint = f"{contract.key} records no retirement dates"
                if unknown_dates:
                    hint += f"; {len(unknown_dates)} indicator(s) have an unknown retirement date"
                yield error("QR216", f"no indicator of {contract.key} retires on {term.date.value}",
                            source=source, span=term.date.span, hint=hint)
    for rule in ctx.scheme.rules:
        for field in (rule.pay, rule.on_request):
            if field is None:
                continue
            yield from _fixed_points(field.basis, rule, ctx)


def _code_hint(text: str, indicators, groups) -> str | None:
    hint = did_you_mean(text, indicators)
    if hint is None and text in groups:
        hint = f"{text} is a group: write 'groups {text}'"
    return hint


def _group_hint(text: str, indicators, groups) -> str | None:
    hint = did_you_mean(text, groups)
    if hint is None and text in indicators:
        hint = f"{text} is an indicator: write 'indicators {text}'"
    return hint


def _listed_hint(typo_hint: Later) -> str:
    typo = typo_hint.text()
    return (f"if it is a typo, {typo}; " if typo else "") + "qofrules/contracts/data/SOURCES.md says what the year's list holds"


def _not_listed(contract, source, name, what: str, code: str, typo_hint: Later):
    """A code a partial year does not list may be real: a warning that qofrules cannot check or pay
    it, not an error that says the year had no such thing."""
    return warning(code, f"{name.text} is not among the {what}s qofrules lists for {contract.key}, whose list is "
                   f"incomplete ({contract.listed} indicators listed): qofrules cannot check it, and pays nothing "
                   "for it until the year's data lists it", source=source, span=name.span,
                   hint=Later(functools.partial(_listed_hint, typo_hint)))


def _fixed_points(basis, rule, ctx):
    known = [i.points.value for i in ctx.contract.indicators.values() if i.points.value is not None]
    largest = max(known) if known else None
    for node in ast.walk_basis(basis):
        if isinstance(node, ast.FixedPoints) and largest is not None and node.points > largest:
            yield warning("QR236", f"{node.points} points is more than any indicator of {ctx.contract.key} is worth "
                          f"(the most is {largest}); each indicator is capped at its maximum", source=ctx.source,
                          span=node.span)
