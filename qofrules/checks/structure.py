"""Structure: required and duplicated fields, rule titles, rules without what they need."""
from __future__ import annotations

from .. import ast
from ..diagnostics import Related, error


def check(ctx):
    scheme, source = ctx.scheme, ctx.source
    seen: dict[type, ast.Node] = {}
    for field in scheme.header:
        kind = type(field)
        if kind in seen and kind not in ast.REPEATABLE_HEADER:
            keyword = ast.HEADER_KEYWORDS[kind]
            yield error("QR201", f"'{keyword}' is given more than once", source=source, span=field.span,
                        related=[Related(message="first given here", span=seen[kind].span)],
                        hint=f"a scheme has one '{keyword}' line; combine them")
        seen.setdefault(kind, field)
    if scheme.contract is None:
        yield error("QR202", "the scheme does not say which contract year it varies", source=source,
                    span=scheme.id.span, hint="add a line such as: contract: england 2013/14")
    if not (scheme.rules or scheme.adjustments):  # a scheme of top-ups alone leaves QOF as it is
        yield error("QR206", "the scheme has no rules", source=source, span=scheme.id.span,
                    hint='add a rule, e.g.\n    rule "Everything as usual":\n      applies to: all indicators\n'
                         "      pay: achievement")
    titles: dict[str, ast.Rule] = {}
    for rule in scheme.rules:
        key = rule.title.value.strip().lower()
        if key in titles:
            yield error("QR203", f"two rules are called \"{rule.title.value}\"", source=source,
                        span=rule.title.span, related=[Related(message="the other", span=titles[key].title.span)],
                        hint="rule titles name rules in reports and diffs; make them unique")
        titles.setdefault(key, rule)
        yield from _rule_fields(rule, source)


def _rule_fields(rule: ast.Rule, source):
    seen: dict[type, ast.Node] = {}
    for field in rule.fields:
        kind = type(field)
        if kind in seen:
            keyword = ast.RULE_KEYWORDS[kind]
            yield error("QR205", f"rule \"{rule.title.value}\" gives '{keyword}' more than once", source=source,
                        span=field.span, related=[Related(message="first given here", span=seen[kind].span)])
        seen.setdefault(kind, field)
    if rule.applies is None:
        yield error("QR204", f"rule \"{rule.title.value}\" does not say which indicators it applies to",
                    source=source, span=rule.title.span, hint="add a line such as: applies to: groups DM")
    if rule.pay is None:
        yield error("QR204", f"rule \"{rule.title.value}\" does not say how it pays", source=source,
                    span=rule.title.span, hint="add a line such as: pay: achievement")
