"""QV112: a national amendment is made by a body with national power over that country's QOF."""
from __future__ import annotations

from .authorities import NATIONAL, UNSURE
from .base import ERROR, Rule
from ..plainwords import bodies_words
from .judgement import NATIONAL_AMENDMENT


def check(ctx):
    approved = ctx.scheme.approved
    if approved is None or not approved.bodies:
        return  # QV102 reports a scheme nobody approved
    on = ctx.acted_on
    powers = [ctx.authorities.power(b, ctx.country, on) for b in approved.bodies]
    if NATIONAL in powers:
        return
    unknown = [b for b in approved.bodies if b.kind.text in (ctx.authorities.unknown_power or {})]
    if unknown or UNSURE in powers:
        return  # QV102: whether that body had the power cannot be judged, or depends on the day
    who = bodies_words(approved.bodies)
    instrument = ctx.scheme.instruments[0]
    national = " or ".join(ctx.authorities.national_bodies(ctx.country))
    yield RULE.breach(ctx, f"the scheme records the instrument \"{instrument.title.value}\", so it changes "
                      f"{ctx.country_name}'s national contract, but none of its approvers ({who}) had national power "
                      f"over {ctx.country_name}'s QOF {on.phrase}", approved.span,
                      hint=f"a national change is made by {national}; a local scheme records no "
                           "instrument line")



RULE = Rule(
    code="QV112", name="national-amendment-by-national-body",
    title="A national amendment is made by a body with national power over that country's QOF",
    severity=ERROR,
    severity_reason="An instrument that changes the national contract made by a body without the power to "
                    "change it has no force: no practice could be paid under it.",
    source="National changes are made by the Secretary of State's Directions (SFE amendments), agreed with "
           "GPC England or imposed, announced by NHS England (income protection 2019/20 to 2024/25); the "
           "devolved governments change their own contracts (Wales, Scotland, Northern Ireland, 2016/17); "
           "local bodies vary QOF only by voluntary local alternatives (domain.md, 'Who may change what'; "
           "qofrules/contracts/authorities.yaml).",
    explanation="A scheme that records an `instrument:` (SFE Directions, a contract letter) claims to change the "
                "national contract itself, so it is judged as a national amendment whoever approved it. At "
                "least one body on its `approved:` line must then hold national power over the country's QOF "
                "on the approval date (or the scheme's start): NHS England nationally or the Secretary of "
                "State for England, the devolved government for its own contract. A CCG, an ICB or an NHS "
                "England area team cannot amend the SFE.",
    breaking_example='''scheme icb-amends-sfe "An ICB amending the national contract"
  contract: england 2023/24
  approved: icb "NHS Example ICB" on 2023-02-01
  instrument: "Local amendment to the SFE"
  runs: 2023-04-01 to 2024-03-31
  eligible when: every practice

  rule "Everything as usual":
    applies to: all indicators
    pay: achievement
''',
    passing_example='''scheme nhse-amends-sfe "NHS England amending the national contract"
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
