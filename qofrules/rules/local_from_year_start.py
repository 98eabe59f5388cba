"""QV105: a local body cannot change the national contract part-way through a year."""
from __future__ import annotations

from .base import ERROR, NUMBER_WORDS, Rule, header_span, months_into_year
from ..plainwords import bodies_words
from .judgement import LOCAL_BODY


def check(ctx):
    local = ctx.local_approvers()
    if not local:
        return
    first, last = ctx.contract.first_day, ctx.contract.last_day
    start = ctx.start_when
    if start.latest <= first or start.earliest > last:
        return  # from 1 April; or outside the contract year altogether, which QV101 reports
    who = bodies_words(local)
    runs = ctx.scheme.runs
    span = runs.span if runs else header_span(ctx)
    hint = f"start a local alternative on 1 April ({first}), or seek NHS England's approval"
    if start.earliest <= first or start.latest > last:
        yield RULE.not_recorded(ctx, f"a local body ({who}) cannot change the national contract part-way through a "
                                f"year, and this scheme starts {start.phrase}: whether that is 1 April "
                                f"{first.year} or later in {ctx.contract.year} depends on the day, which the scheme "
                                "does not record", span, hint=hint)
        return
    months = months_into_year(start.earliest)
    if months != months_into_year(start.latest):
        into = f"part-way through {ctx.contract.year}"
    elif months:
        into = f"{NUMBER_WORDS[months]} month{'s' if months != 1 else ''} into {ctx.contract.year}"
    else:
        into = f"part-way through {ctx.contract.year}"
    yield RULE.breach(ctx, f"a local body ({who}) cannot change the national contract part-way through a year: "
                      f"this scheme starts {start.phrase}, {into}. Changing payment for a year "
                      "already under way needs NHS England's authority", span, hint=hint)


RULE = Rule(
    code="QV105", name="local-change-from-year-start",
    title="A local body's alternative starts at the beginning of a financial year",
    severity=ERROR,
    severity_reason="NHS England's legal advice in the Leeds case was that this 'would not be possible': a "
                    "CCG cannot change the national contract at the back end of a year. It is beyond the "
                    "local body's power, so the scheme is void, not merely irregular.",
    source="Pulse, 'QOF opt-out for Leeds GPs not possible' (2017): NHS England's chief executive told its "
           "board that legal advice was clear that individual CCGs cannot change the national contract at "
           "the back end of a year, and that adjusting payments ten months into the year would be very "
           "unfair; the deal was never formally sanctioned.",
    explanation="When the only approving bodies are local (CCGs, ICBs), the scheme must start on 1 April "
                "of its contract year. A scheme that starts later changes payment for a year already under "
                "way, which needs NHS England's authority (NHS England approved the February 2014 "
                "Lincolnshire/LLR scheme; the Leeds CCGs' February 2017 scheme had no such approval).",
    breaking_example='''scheme ccg-mid-year "Changed ten months into the year"
  contract: england 2016/17
  approved: ccg "NHS Example CCG" on 2017-01-20
  consulted: lmc "Example"
  runs: 2017-02-01 to 2017-03-31
  eligible when: practice opted in

  rule "Everything as usual":
    applies to: all indicators
    pay: achievement
''',
    passing_example='''scheme ccg-whole-year "From the start of the year"
  contract: england 2016/17
  approved: ccg "NHS Example CCG" on 2016-03-01
  consulted: lmc "Example"
  runs: 2016-04-01 to 2017-03-31
  eligible when: practice opted in

  rule "Everything as usual":
    applies to: all indicators
    pay: achievement
''',
    check=check,
    judges=frozenset({LOCAL_BODY}),
)
