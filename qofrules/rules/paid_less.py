"""QV106: where any practice could be paid less than under the national rules, joining is opt-in."""
from __future__ import annotations

from .. import ast
from ..plainwords import basis_words
from .base import ERROR, Rule, guarantees_opt_in
from .judgement import LOCAL_SCHEMES


def never_less(basis) -> bool:
    """True when ``basis`` can never pay fewer points than actual achievement under national rules."""
    if isinstance(basis, ast.Achievement):
        return basis.year is None
    if isinstance(basis, ast.FullPoints):
        return True
    if isinstance(basis, ast.HigherOf):
        return any(never_less(item) for item in basis.items)
    if isinstance(basis, (ast.LowerOf, ast.AverageOf)):
        return all(never_less(item) for item in basis.items)
    if isinstance(basis, ast.PercentOf):
        return basis.percent >= 100 and never_less(basis.basis)
    return False  # no points; a fixed number of points; an earlier year's achievement


def check(ctx):
    if guarantees_opt_in(ctx.scheme.eligibility):
        return
    for rule in ctx.scheme.rules:
        if rule.pay is None:
            continue
        if never_less(rule.pay.basis):
            continue
        if rule.on_request is not None and never_less(rule.on_request.basis):
            continue  # the practice may ask for a basis that is never less
        yield RULE.breach(ctx, f"rule \"{rule.title.value}\" pays on {basis_words(rule.pay.basis)}, which can pay a "
                          "practice less than actual achievement under the national rules, yet practices do not "
                          "opt in to the scheme", rule.pay.span, hint=_hint(rule))


def _hint(rule) -> str:
    """A way out that no other rule or check rejects: indicators still reported must be paid on
    plain achievement (QV109); stood-down indicators cannot be paid on this year's achievement
    (QR233), but a practice may ask for it (``on request:``, as Somerset's scheme did)."""
    voluntary = "make joining voluntary (eligible when: practice opted in)"
    if rule.reporting == ast.AS_USUAL:
        return f"{voluntary}, or pay: achievement (indicators still reported are paid on actual achievement)"
    return f"{voluntary}, or let a practice ask for actual achievement instead: on request: achievement"


RULE = Rule(
    code="QV106", name="opt-in-where-paid-less",
    title="Where any practice could be paid less than under national rules, joining is opt-in",
    severity=ERROR,
    severity_reason="A practice placed in a scheme without its choice and paid less than its contract "
                    "entitles it to loses money it is owed under the national rules; no local approval can "
                    "take that away.",
    source="NHS England, 'Next steps towards primary care co-commissioning' (November 2014): practices "
           "kept the right to stay on national QOF. The 2014 schemes that were allowed were opt-in and paid "
           "the dropped points in full, so no practice could lose by joining (Pulse, 2014). Otherwise income "
           "protection is done nationally through SFE amendments.",
    explanation="Each rule's payment basis is compared with actual achievement, the national rules' "
                "basis. Actual achievement and full points are never less; so is `higher of` with either "
                "among its items, or 100% or more of such a basis. An earlier year's achievement, a fixed "
                "number of points, no points, `lower of`, `average of` and percentages under 100 can be "
                "less. Where any rule can pay less, the scheme's `eligible when:` must require that the "
                "practice opted in. A basis a practice may ask for instead (`on request:`) counts: "
                "Somerset's 2012/13 basis with actual achievement on request is never less.",
    breaking_example='''scheme last-year-for-all "Everyone paid on last year"
  contract: england 2013/14
  approved: nhs-england area-team "Somerset" on 2013-12-01
  consulted: lmc "Somerset"
  runs: 2014-01-01 to 2014-03-31
  pays for: months run
  eligible when: every practice

  rule "Paid on 2012/13":
    applies to: all indicators
    reporting: not required
    pay: achievement in 2012/13
''',
    passing_example='''scheme last-year-or-this "Last year, or this year on request"
  contract: england 2013/14
  approved: nhs-england area-team "Somerset" on 2013-12-01
  consulted: lmc "Somerset"
  runs: 2014-01-01 to 2014-03-31
  pays for: months run
  eligible when: every practice

  rule "Paid on 2012/13":
    applies to: all indicators
    reporting: not required
    pay: achievement in 2012/13
    on request: achievement
''',
    check=check,
    judges=LOCAL_SCHEMES,
)
