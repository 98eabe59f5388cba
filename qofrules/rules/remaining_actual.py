"""QV109: indicators that stay in QOF are paid on actual achievement under the year's thresholds."""
from __future__ import annotations

from .. import ast
from ..plainwords import basis_words
from .base import ERROR, Rule, walk_basis
from .judgement import LOCAL_SCHEMES


def _actual(basis) -> bool:
    return isinstance(basis, ast.Achievement) and basis.year is None


def check(ctx):
    for rule in ctx.scheme.rules:
        if rule.reporting != ast.AS_USUAL:
            continue
        for field, word in ((rule.pay, "pays them on"), (rule.on_request, "lets a practice ask to be paid on")):
            if field is None or _actual(field.basis):
                continue
            yield RULE.breach(ctx, f"rule \"{rule.title.value}\" keeps its indicators in QOF (reporting as usual) but "
                              f"{word} {basis_words(field.basis)}, not on actual achievement under "
                              f"{ctx.contract.year}'s thresholds", field.span,
                              hint=_hint(field.basis))


def _hint(basis) -> str:
    """Stood-down indicators may not be paid on this year's achievement (check QR233), and indicators
    reported for monitoring only should not be (QR252), so either is offered only where the basis
    does not use it."""
    if any(isinstance(node, ast.Achievement) and node.year is None for node in walk_basis(basis)):
        return "pay: achievement (a basis that uses this year's achievement keeps the indicators reported)"
    return ("pay: achievement; or, if these indicators are not paid on what practices report, say so: "
            "reporting: not required when they are stood down, reporting: monitoring only when they are still "
            "reported")


RULE = Rule(
    code="QV109", name="remaining-paid-on-achievement",
    title="Indicators that stay in QOF are paid on actual achievement",
    severity=ERROR,
    severity_reason="Paying indicators that practices still report on any other basis rewrites the SFE's "
                    "payment calculation for them: income protection of that kind is made nationally, by "
                    "amending the SFE, not by a local scheme.",
    source="Lincolnshire/LLR 2014: practices that opted in carried on with every other indicator, paid on "
           "actual achievement under the 2013/14 indicators and thresholds (Pulse, 2014); income protection "
           "is otherwise done nationally through SFE amendments (2019/20, 2020/21, 2024/25).",
    explanation="A rule whose indicators are still reported (`reporting: as usual`, the default) must pay "
                "plain `achievement`: the contract year's thresholds and points, as the national rules "
                "would. Stood-down indicators (`reporting: not required`) may be paid on another basis, "
                "subject to the other rules, and so may indicators still reported for monitoring only "
                "(`reporting: monitoring only`): the scheme says in terms that what practices report is not "
                "what pays them.",
    breaking_example='''scheme protected-while-reporting "Higher of, while still reporting"
  contract: england 2013/14
  approved: nhs-england area-team "Somerset" on 2013-12-01
  consulted: lmc "Somerset"
  runs: 2014-01-01 to 2014-03-31
  pays for: months run
  eligible when: practice opted in

  rule "Higher of two years":
    applies to: all indicators
    pay: higher of (achievement in 2012/13, achievement)
''',
    passing_example='''scheme reporting-on-achievement "Reported and paid as usual"
  contract: england 2013/14
  approved: nhs-england area-team "Somerset" on 2013-12-01
  consulted: lmc "Somerset"
  runs: 2014-01-01 to 2014-03-31
  pays for: months run
  eligible when: practice opted in

  rule "As usual":
    applies to: all indicators
    pay: achievement
''',
    check=check,
    judges=LOCAL_SCHEMES,
)
