"""QV114: a national amendment records the instrument that made it, and its dates."""
from __future__ import annotations

from .base import WARNING, Rule, describe_date, header_span
from .judgement import NATIONAL_AMENDMENT


def check(ctx):
    scheme = ctx.scheme
    if not scheme.instruments:
        yield RULE.not_recorded(ctx, f"the scheme is judged as a national amendment ({ctx.judgement.reason}), but "
                                "it does not record the instrument that made it", header_span(ctx),
                                hint='add a line naming it as it is titled, with the day it was made: '
                                     'instrument: "TITLE OF THE DIRECTIONS OR LETTER" on YYYY-MM-DD')
    for instrument in scheme.instruments:
        if instrument.date is None:
            yield RULE.not_recorded(ctx, f"the instrument \"{instrument.title.value}\" is recorded without the date it "
                                    "was made", instrument.span, hint="add it: instrument: \"...\" on YYYY-MM-DD")
        elif instrument.date.when is not None:
            yield from _after_the_year(ctx, instrument.date, f"the instrument \"{instrument.title.value}\" was made")
    approved = scheme.approved
    if approved is not None and approved.bodies and approved.date is None:
        yield RULE.not_recorded(ctx, "the date the national change was made or announced is not recorded",
                                approved.span, hint="add it to the line: approved: ... on YYYY-MM-DD")
    elif approved is not None and approved.date is not None and approved.date.when is not None:
        yield from _after_the_year(ctx, approved.date, "the change was approved")


def _after_the_year(ctx, date, what: str):
    """A national change may take effect before its letter, but one dated after its contract year
    ended changes payments already made in full: possible, rare, and worth a second look. A date
    known only to the month or the year that may fall after the year gets the same look."""
    when, last = date.when, ctx.contract.last_day
    if when.earliest > last:
        yield RULE.not_recorded(ctx, f"{what} {when.phrase}, after {ctx.contract.year} ended on "
                                f"{describe_date(last)}: a change made after the year it changes",
                                date.span, hint="check the date and the contract year")
    elif when.latest > last:
        yield RULE.not_recorded(ctx, f"{what} {when.phrase}, perhaps after {ctx.contract.year} ended on "
                                f"{describe_date(last)} (that depends on the day): a change made after the year it "
                                "changes would need a second look", date.span,
                                hint="record the day as the sources give it (on YYYY-MM-DD), and check the contract year")


RULE = Rule(
    code="QV114", name="national-amendment-recorded",
    title="A national amendment records its instrument and its dates",
    severity=WARNING,
    severity_reason="A warning: a national change is lawful whether or not the scheme file names its "
                    "instrument, but a reviewer cannot check it against the law without the instrument's "
                    "title and dates. A national change may take effect before the letter that announced it "
                    "(December 2021), so a date after the start is recorded, not rejected.",
    source="National changes are made by the Secretary of State's Directions amending the Statement of "
           "Financial Entitlements, announced by NHS England's letters (19 March 2020; 9 July 2020; 7 January "
           "2021; 3 and 7 December 2021, from 1 December 2021; 6 March 2023; SFE Directions 2024) "
           "(domain.md, 'More real variations').",
    explanation="A scheme judged as a national amendment should record the instrument that made it "
                "(`instrument: \"TITLE\" on DATE`, repeatable: the Directions, the letter), the date it was "
                "made or announced (`approved: ... on DATE`) and the period it has effect (`runs:`, which QV101 asks for "
                "of every scheme). None of "
                "them need come before the start: the rule that a local scheme is approved before it starts "
                "(QV103) does not bind a national amendment. An instrument or approval dated after the contract "
                "year ended is a warning to check the date.",
    breaking_example='''scheme amendment-unrecorded "A national change with no instrument or dates"
  contract: england 2023/24
  approved: nhs-england
  eligible when: every practice

  rule "Everything as usual":
    applies to: all indicators
    pay: achievement
''',
    passing_example='''scheme amendment-recorded "A national change, recorded"
  contract: england 2021/22
  approved: nhs-england on 2021-12-07
  instrument: "NHS England letter: changes to QOF from 1 December 2021" on 2021-12-07
  runs: 2021-12-01 to 2022-03-31
  eligible when: every practice

  rule "Everything as usual":
    applies to: all indicators
    pay: achievement
''',
    check=check,
    judges=frozenset({NATIONAL_AMENDMENT}),
)
