"""QV110: no basis pays more than an indicator's maximum points."""
from __future__ import annotations

from .. import ast
from ..selection import coverage
from .base import WARNING, Rule, unlisted_codes, walk_basis


def check(ctx):
    contract = ctx.contract
    paid = coverage(ctx.scheme.rules, contract)
    for index, rule in enumerate(ctx.scheme.rules):
        for field in (rule.pay, rule.on_request):
            if field is None:
                continue
            for node in walk_basis(field.basis):
                if isinstance(node, ast.PercentOf) and node.percent > 100:
                    yield RULE.breach(ctx, f"rule \"{rule.title.value}\" pays {node.percent}% of a basis, more than "
                                      "an indicator's maximum points at full achievement", node.span,
                                      hint="100% of full points is the most an indicator can pay")
                if isinstance(node, ast.FixedPoints):
                    yield from _fixed(ctx, rule, node, paid.get(index, []))


def _fixed(ctx, rule, node, codes):
    unlisted = unlisted_codes(rule, ctx.contract)
    unknown = []
    over = []
    for code in codes:
        points = ctx.contract.indicators[code].points.value
        if points is None:
            unknown.append(code)
        elif node.points > points:
            over.append(f"{code} ({points})")
    if over:
        yield RULE.breach(ctx, f"rule \"{rule.title.value}\" pays {node.points} points, more than the maximum of "
                          f"{', '.join(over)}", node.span, hint="pay: full points pays each indicator its maximum")
    if unknown:
        yield RULE.cannot_judge(ctx, f"rule \"{rule.title.value}\" pays {node.points} points, but the maximum points "
                                f"of {', '.join(unknown)} are unknown in {ctx.contract.key}", node.span,
                                hint="supply those indicators' points with --contract-overrides (docs/contracts.md)")
    if unlisted:
        yield RULE.cannot_judge(ctx, f"rule \"{rule.title.value}\" pays {node.points} points for {', '.join(unlisted)}, "
                                f"which qofrules' incomplete list for {ctx.contract.key} does not hold, so their "
                                "maximum points are unknown", node.span,
                                hint="a reviewer must check the maximum by hand (qofrules/contracts/data/SOURCES.md "
                                     "says what the year's list holds)")


RULE = Rule(
    code="QV110", name="no-more-than-maximum",
    title="No basis pays more than an indicator's maximum points",
    severity=WARNING,
    severity_reason="A warning, not an error: payment is capped at each indicator's maximum (the SFE's "
                    "points are maxima, and qofrules caps every basis), so no practice can be paid more. "
                    "But the scheme's text then promises more than it pays, which the reviewer should "
                    "have corrected before signing.",
    source="SFE Directions, Annex D: each indicator has a maximum number of points G, paid at or above the "
           "upper threshold (points = G × (D − E)/(F − E) between the thresholds).",
    explanation="A fixed number of points (`pay: 6 points`) may not exceed the maximum points of any indicator its rule "
                "covers, and a percentage of a basis may not exceed 100%. Where the contract year does "
                "not record an indicator's points the rule says it cannot check.",
    breaking_example='''scheme over-the-top "Six points for an AF register"
  contract: england 2023/24
  approved: nhs-england region "North East and Yorkshire" on 2023-03-01
  runs: 2023-04-01 to 2024-03-31
  eligible when: practice opted in

  rule "AF register":
    applies to: indicator AF001
    reporting: not required
    pay: 6 points

  rule "Everything else as usual":
    applies to: all other indicators
    pay: achievement
''',
    passing_example='''scheme at-the-top "Five points for an AF register"
  contract: england 2023/24
  approved: nhs-england region "North East and Yorkshire" on 2023-03-01
  runs: 2023-04-01 to 2024-03-31
  eligible when: practice opted in

  rule "AF register":
    applies to: indicator AF001
    reporting: not required
    pay: 5 points

  rule "Everything else as usual":
    applies to: all other indicators
    pay: achievement
''',
    check=check,
)
