"""QV101: the scheme runs within one financial year, the contract year it names."""
from __future__ import annotations

from .. import contracts
from ..dates import When, in_window
from .base import ERROR, Rule, describe_date, financial_year_of, financial_years, header_span


def check(ctx):
    runs = ctx.scheme.runs
    first, last = ctx.contract.first_day, ctx.contract.last_day
    if runs is None:
        yield RULE.not_recorded(
            ctx, f"the running period is not recorded; the validator takes it to be the whole contract year "
            f"{ctx.contract.year} ({describe_date(first)} to {describe_date(last)})", header_span(ctx),
            hint=f"add a line such as: runs: {first} to {last}")
        return
    start, end = runs.start.when, runs.end.when
    if start is None or end is None:
        return  # an impossible date: check has reported it
    starts_in, ends_in = financial_years(start), financial_years(end)
    years = starts_in | ends_in
    if len(starts_in) == 1 and len(ends_in) == 1 and len(years) > 1:
        yield RULE.breach(ctx, f"the scheme runs from {start.text} to {end.text}, across "
                          f"{len(years)} financial years ({', '.join(sorted(years))}); a QOF year is one financial "
                          "year, 1 April to 31 March", runs.span,
                          hint="write one scheme per contract year")
        return
    inside = in_window(start, When.day(first), When.day(last)), in_window(end, When.day(first), When.day(last))
    if inside == (True, True):
        return
    if False in inside:
        year = financial_year_of(start.earliest if inside[0] is False else end.earliest)
        shipped = {y for c, y in contracts.available() if c == ctx.contract.country}
        note = "" if year in shipped else f"; qofrules ships no contract year for {year}"
        yield RULE.breach(ctx, f"the scheme runs from {start.text} to {end.text}, outside the "
                          f"contract year it names, {ctx.contract.year} ({describe_date(first)} to "
                          f"{describe_date(last)}){note}", runs.span,
                          hint=f"correct the dates, or name the contract year they fall in (contract: "
                          f"{ctx.contract.country} {year})")
        return
    yield from _depends(ctx, runs, start, end, years)


def _depends(ctx, runs, start, end, years):
    yield RULE.not_recorded(ctx, f"the scheme runs from {start.text} to {end.text}: whether that lies within "
                            f"{ctx.contract.year} ({describe_date(ctx.contract.first_day)} to "
                            f"{describe_date(ctx.contract.last_day)}) depends on the day, which the running period "
                            f"does not give (it could fall in {', '.join(sorted(years))})", runs.span,
                            hint="give the running period to the day, as the sources give it (runs: YYYY-MM-DD to "
                                 "YYYY-MM-DD)")


RULE = Rule(
    code="QV101", name="period-within-contract-year",
    title="The scheme runs within one financial year, the contract year it names",
    severity=ERROR,
    severity_reason="A scheme whose dates fall outside its contract year varies a year it does not name: "
                    "what it pays cannot be worked out, so it cannot be signed. A scheme that records no "
                    "running period gets a warning instead: it is taken to run for the whole year.",
    source="Statement of Financial Entitlements (SFE) Directions, Annex D, and NHS England's yearly QOF "
           "guidance: a QOF year is a financial year, 1 April to 31 March, with achievement measured at "
           "31 March.",
    explanation="QOF is set and paid one financial year at a time. A local variation changes how one "
                "year's QOF is paid, so its running period (`runs:`) must lie inside one financial year, "
                "and inside the contract year the scheme names on its `contract:` line.",
    breaking_example='''scheme straddles-two-years "Runs into the next year"
  contract: england 2013/14
  approved: nhs-england area-team "Devon, Cornwall and Isles of Scilly" on 2014-01-06
  runs: 2014-02-01 to 2014-05-31
  eligible when: practice opted in

  rule "Everything as usual":
    applies to: all indicators
    pay: achievement
''',
    passing_example='''scheme within-the-year "February and March 2014"
  contract: england 2013/14
  approved: nhs-england area-team "Devon, Cornwall and Isles of Scilly" on 2014-01-06
  runs: 2014-02-01 to 2014-03-31
  eligible when: practice opted in

  rule "Everything as usual":
    applies to: all indicators
    pay: achievement
''',
    check=check,
)
