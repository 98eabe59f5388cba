"""QV115: every body a scheme names existed in its country on the scheme's dates."""
from __future__ import annotations

from .. import ast
from ..checks.bodies import condition_bodies
from .authorities import COMMISSIONER, LOCAL
from .base import ERROR, Rule
from ..plainwords import body_words


def _named(ctx):
    """(body, the days it is named for, what those days are) for every body of the scheme."""
    scheme = ctx.scheme
    start = (ctx.start_when, f"the scheme's start, {ctx.start_when.text}")
    for field in scheme.header:
        if isinstance(field, ast.AreaField):
            for body in field.bodies:
                yield body, *start
        elif isinstance(field, (ast.ApprovedField, ast.ConsultedField)):
            when = field.date.when if field.date is not None else None
            named = (when, when.text) if when is not None else start
            for body in field.bodies:
                yield body, *named
        elif isinstance(field, ast.WaiverField) and field.granted_on.when is not None:
            for body in field.granted_by:
                yield body, field.granted_on.when, field.granted_on.when.text
    if scheme.eligibility is not None:
        for body in condition_bodies(scheme.eligibility):
            yield body, *start


def check(ctx):
    seen = set()
    for body, when, what in _named(ctx):
        gone = ctx.authorities.not_there(body, ctx.country, when)
        if gone is None or (body.span, gone.reason) in seen:
            continue
        seen.add((body.span, gone.reason))
        if gone.reason == "unknown":
            yield RULE.cannot_judge(ctx, f"{body_words(body)}: {gone.message}, so whether it could act there on "
                                    f"{what} cannot be judged", body.span,
                                    hint="qofrules/contracts/authorities.yaml ('existence') lists where and when "
                                         "each kind of body existed; a reviewer must establish this one by hand")
            continue
        if gone.reason == "depends":
            yield ctx.depends_on_the_day(
                RULE, when, f"{body_words(body)} is named for {what}, but {gone.message} ({gone.source})", body.span,
                hint="record the day as the sources give it (on YYYY-MM-DD)" if not when.exact else
                     "the authorities data gives that body's first or last day only to the month or the year, or as "
                     "a span of days; a reviewer must establish it by hand (qofrules/contracts/authorities.yaml, "
                     "'existence')")
            continue
        yield RULE.breach(ctx, f"{body_words(body)} is named for {what}, but {gone.message} ({gone.source})",
                          body.span, hint=_hint(ctx, body, when, gone))


def _hint(ctx, body, when, gone) -> str:
    """What to do about it: name the country's own bodies, or the body that held the role then."""
    auth = ctx.authorities
    if gone.reason == "another-country":
        national = " or ".join(auth.national_bodies(ctx.country))
        return (f"a {ctx.country_name} scheme names {ctx.country_name}'s bodies (its national contract is changed by "
                f"{national}); if the scheme is for another country, name its contract on the contract: line")
    roles = {p.power for p in auth.entries(body) if ctx.country in p.countries}

    def holders(powers) -> list[str]:
        return sorted({p.kind + (f" {p.levels[0]}" if p.levels and p.levels != ("national",) else "")
                       for p in auth.powers if p.power in powers and ctx.country in p.countries and p.covers(when)})
    same = holders(roles)
    if same:
        then = f"; {when.phrase} that power was held by {' or '.join(same)}"
    elif roles == {LOCAL} and holders({COMMISSIONER}):
        # a PCT's local schemes after April 2013 were NHS England's to agree, through its area teams
        then = f"; {when.phrase} no body held that power, and local variations were agreed by " \
               f"{' or '.join(holders({COMMISSIONER}))}"
    else:
        then = ""
    return f"correct the date, or name the body that existed then{then}"


RULE = Rule(
    code="QV115", name="bodies-existed",
    title="Every body a scheme names existed in its country on the scheme's dates",
    severity=ERROR,
    severity_reason="A scheme approved, consulted on or scoped by a body that did not exist then, or that "
                    "belongs to another country's NHS, records something that cannot have happened: its "
                    "approval is void, and its area places no practice.",
    source="PCTs commissioned until 31 March 2013; NHS England area teams from April 2013; CCGs until 30 June "
           "2022; ICBs from 1 July 2022 (domain.md, 'Who may change what'; NHS England QOF guidance 2023/24); "
           "Wales, Scotland and Northern Ireland have their own contracts and their own bodies (health "
           "boards, the HSCB). Dates and sources: qofrules/contracts/authorities.yaml ('existence').",
    explanation="Every body on the `area:`, `approved:`, `consulted:` and `waiver: ... granted by` lines, and "
                "in `practice in BODY` conditions, must be a kind of body of the scheme's country that existed "
                "on the day it is named for: the approval or consultation date where recorded, the grant date "
                "of a waiver, otherwise the scheme's start. An ICB before 1 July 2022, a CCG after 30 June "
                "2022, a PCT after 31 March 2013 or a health board in England is an error; a kind whose "
                "existence in that country qofrules has no sourced record of cannot be judged.",
    breaking_example='''scheme icb-too-early "Approved by an ICB before ICBs existed"
  contract: england 2022/23
  approved: icb "NHS Example ICB" on 2022-03-01
  consulted: lmc "Example"
  runs: 2022-04-01 to 2023-03-31
  eligible when: practice opted in

  rule "Everything as usual":
    applies to: all indicators
    pay: achievement
''',
    passing_example='''scheme ccg-in-time "Approved by a CCG before ICBs took over"
  contract: england 2022/23
  approved: ccg "NHS Example CCG" on 2022-03-01
  consulted: lmc "Example"
  runs: 2022-04-01 to 2023-03-31
  eligible when: practice opted in

  rule "Everything as usual":
    applies to: all indicators
    pay: achievement
''',
    check=check,
)
