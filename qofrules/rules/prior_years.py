"""QV108: earlier-year bases name completed years that the practice data holds."""
from __future__ import annotations

import datetime as dt

from .. import ast
from ..printer import part_text
from .base import ERROR, Rule, describe_date, walk_basis


def _named_years(scheme: ast.Scheme):
    for rule, field in scheme.basis_lines():
        for node in walk_basis(field.basis):
            if isinstance(node, ast.Achievement) and node.year is not None and node.year.start is not None:
                yield rule, node.year


def check(ctx):
    unconfirmed: dict[str, ast.Year] = {}
    for rule, year in _named_years(ctx.scheme):
        ends = dt.date(year.start + 1, 3, 31)
        if ends >= ctx.start:
            yield RULE.breach(ctx, f"{part_text(rule)} pays on achievement in {year.text}, a year that "
                              f"ends on {describe_date(ends)}, not before the scheme starts on "
                              f"{describe_date(ctx.start)}: its achievement is not yet known", year.span,
                              hint="an earlier year's achievement must be of a completed year")
            continue
        if ctx.data_years is None:
            unconfirmed.setdefault(year.text, year)
        elif year.text not in ctx.data_years:
            held = ", ".join(ctx.data_years) or "no year"
            yield RULE.breach(ctx, f"{part_text(rule)} pays on achievement in {year.text}, but the "
                              f"practice data holds achievement for {held} only", year.span,
                              hint=f"add {year.text}'s achievement (ACHIEVED_POINTS) to the data set")
    for text, year in unconfirmed.items():
        yield RULE.not_recorded(ctx, f"the scheme pays on achievement in {text}; without practice data it cannot "
                                f"be confirmed that {text}'s achievement is available", year.span,
                                hint="validate with the data the scheme will use: --data DATASET")


RULE = Rule(
    code="QV108", name="prior-years-completed-and-held",
    title="Earlier-year bases name completed years that the practice data holds",
    severity=ERROR,
    severity_reason="A basis on a year not yet completed, or missing from the data, cannot be paid: no "
                    "practice's payment under it can be worked out. Without `--data` the rule cannot see "
                    "the data and says so as a warning.",
    source="The Somerset 2014 scheme paid on 2012/13 QOF, a completed year (Pulse; Somerset LMC "
           "evaluation); the Leeds 2017 proposal paid the higher of 2015/16 and 2016/17 achievement, naming "
           "both years (Pulse, 2017). The language has no relative years ('last year'): every earlier year "
           "is named explicitly, and plain `achievement` is the contract year's.",
    explanation="Every `achievement in YEAR` (alone, or inside `higher of`, `lower of`, `average of` or a "
                "percentage, in `pay:` or `on request:`) must name a year that ended before the scheme "
                "starts. With `--data DATASET` the data set must hold that year's achievement.",
    breaking_example='''scheme year-not-in-data "Paid on a year the data lacks"
  contract: england 2016/17
  approved: nhs-england region "North" on 2016-03-01
  consulted: lmc "Example"
  runs: 2016-04-01 to 2017-03-31
  eligible when: practice opted in

  rule "Higher of two earlier years":
    applies to: all indicators
    reporting: not required
    pay: higher of (achievement in 2015/16, achievement in 2013/14)
''',
    passing_example='''scheme years-in-data "Paid on years the data holds"
  contract: england 2016/17
  approved: nhs-england region "North" on 2016-03-01
  consulted: lmc "Example"
  runs: 2016-04-01 to 2017-03-31
  eligible when: practice opted in

  rule "Higher of two earlier years":
    applies to: all indicators
    reporting: not required
    pay: higher of (achievement in 2015/16, achievement in 2014/15)
''',
    example_data_years=("2014/15", "2015/16"),
    check=check,
)
