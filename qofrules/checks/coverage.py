"""Coverage: every indicator of the contract year is paid by exactly one rule.

Precedence, as docs/language.md defines it: rules with explicit selectors claim their
indicators; one rule may say ``all other indicators`` and takes what none of them claimed. Two
explicit rules claiming one indicator, or an indicator nobody claims, is an error.
"""
from __future__ import annotations

from .. import ast
from ..diagnostics import Related, error, warning
from ..selection import coverage, term_codes


def _codes(codes: list[str], limit: int = 8) -> str:
    shown = ", ".join(codes[:limit])
    return shown + (f" and {len(codes) - limit} more" if len(codes) > limit else "")


def _names_unknown(selector: ast.Selector, contract) -> bool:
    """True when the selector names something the year lacks (already an error; a warning would be noise)."""
    for term in selector.include + selector.exclude:
        if isinstance(term, ast.Codes) and any(c.text not in contract.indicators for c in term.codes):
            return True
        if isinstance(term, ast.Groups) and any(g.text not in contract.groups for g in term.groups):
            return True
        if isinstance(term, ast.Retiring) and not term_codes(term, contract):
            return True
    return False


def check(ctx):
    scheme, contract, source = ctx.scheme, ctx.contract, ctx.source
    rules = scheme.rules
    all_other = [r for r in rules if r.applies and r.applies.selector.is_all_other]
    for extra in all_other[1:]:
        yield error("QR223", "only one rule may apply to 'all other indicators'", source=source,
                    span=extra.applies.span, related=[Related(message="the first", span=all_other[0].applies.span)])
    for rule in all_other:
        selector = rule.applies.selector
        if len(selector.include) > 1:
            yield error("QR241", "'all other indicators' stands alone (it may take 'except ...')", source=source,
                        span=selector.span)
    covered = coverage(rules, contract)
    owner: dict[str, int] = {}
    conditional: set[str] = set()
    for index, rule in enumerate(rules):
        codes = covered.get(index)
        if codes is None:
            continue
        if not codes and rule.applies is not None and rule not in all_other[1:] \
                and not _names_unknown(rule.applies.selector, contract):
            where = (f"of {contract.key}" if contract.complete else
                     f"qofrules lists for {contract.key} (its list is incomplete: {contract.listed} indicators)")
            yield warning("QR224", f"rule \"{rule.title.value}\" applies to no indicator {where}",
                          source=source, span=rule.applies.span)
        if rule.only_when is not None:
            # A rule with a condition pays only the practices that meet it; the others fall to the
            # rule without one that covers the indicator (or national rules): no clash.
            conditional.update(codes)
            continue
        clashes: dict[int, list[str]] = {}
        for code in codes:
            if code in owner:
                clashes.setdefault(owner[code], []).append(code)
            else:
                owner[code] = index
        for other, codes_twice in clashes.items():
            if rule in all_other[1:]:
                continue  # already reported as QR223
            yield error("QR221", f"{_codes(codes_twice)} {'is' if len(codes_twice) == 1 else 'are'} paid by two rules, "
                        f"\"{rules[other].title.value}\" and \"{rule.title.value}\"", source=source,
                        span=rule.applies.span,
                        related=[Related(message=f"\"{rules[other].title.value}\" applies here",
                                         span=rules[other].applies.span)],
                        hint="narrow one rule with 'except ...', or pay the rest with 'all other indicators'")
    if any(r.applies is None for r in rules):
        return  # a rule without 'applies to' is reported already; a gap would only be noise
    missing = [code for code in contract.indicators if code not in owner and code not in conditional]
    if missing and rules:
        yield error("QR222", f"{len(missing)} indicator(s) of {contract.key} are paid by no rule: {_codes(missing)}",
                    source=source, span=rules[-1].title.span if rules else scheme.id.span,
                    hint="add a rule that applies to 'all other indicators' (e.g. pay: achievement)")
