"""QV113: a national amendment applies to every practice under the contract."""
from __future__ import annotations

from .. import ast
from .base import ERROR, Rule, header_span
from .judgement import NATIONAL_AMENDMENT, restriction_text, whole_country


def check(ctx):
    if whole_country(ctx.scheme):
        return
    area = ctx.scheme.field(ast.AreaField)
    yield RULE.breach(ctx, f"the scheme is judged as a national amendment ({ctx.judgement.reason}), but it is "
                      f"limited to {restriction_text(ctx.scheme)}: a change of the national contract applies to "
                      f"every practice under {ctx.country_name}'s contract", area.span if area else header_span(ctx),
                      hint="for a national change, remove the area; for a local scheme, remove the instrument "
                           "line (a local scheme changes no national instrument)")


RULE = Rule(
    code="QV113", name="national-amendment-covers-every-practice",
    title="A national amendment applies to every practice under the contract",
    severity=ERROR,
    severity_reason="The SFE binds every contractor alike; an instrument that changes it for some practices "
                    "only is not a change of the national contract, and the rules for local variations "
                    "(opt-in, paid in full only for retiring indicators) would then apply to it.",
    source="National changes are made through the Statement of Financial Entitlements 'for every practice' "
           "(domain.md, 'Who may change what'; the income protections of 2019/20 to 2024/25 applied to every "
           "practice in England).",
    explanation="A national amendment (a scheme that records an `instrument:`, or one NHS England or the "
                "Secretary of State made for the whole country) may not name an `area:` other than the whole "
                "country (`nhs-england national`), nor choose practices by where they are (`practice in "
                "BODY`). Conditions that every practice can meet (opting in, a practice attribute) are "
                "allowed: the amendment still applies to every practice.",
    breaking_example='''scheme amendment-for-one-icb "A national instrument for one ICB"
  contract: england 2023/24
  area: icb "NHS Example ICB"
  approved: nhs-england on 2023-03-06
  instrument: "GMS Statement of Financial Entitlements (Amendment) Directions 2023" on 2023-03-31
  runs: 2023-04-01 to 2024-03-31
  eligible when: every practice

  rule "Everything as usual":
    applies to: all indicators
    pay: achievement
''',
    passing_example='''scheme amendment-for-england "A national instrument for every practice"
  contract: england 2023/24
  approved: nhs-england on 2023-03-06
  instrument: "GMS Statement of Financial Entitlements (Amendment) Directions 2023" on 2023-03-31
  runs: 2023-04-01 to 2024-03-31
  eligible when: every practice

  rule "Everything as usual":
    applies to: all indicators
    pay: achievement
''',
    check=check,
    judges=frozenset({NATIONAL_AMENDMENT}),
)
