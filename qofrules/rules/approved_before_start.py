"""QV103: approval is recorded with its date, and comes before the scheme starts."""
from __future__ import annotations

from ..dates import is_on_or_before
from .base import ERROR, Rule, describe_date
from .judgement import LOCAL_SCHEMES


def check(ctx):
    approved = ctx.scheme.approved
    if approved is None or not approved.bodies:
        return  # QV102 reports a scheme nobody approved
    if approved.date is None:
        yield RULE.not_recorded(ctx, "the approval date is not recorded, so it cannot be confirmed that the scheme "
                                f"was approved before it started {ctx.start_text}", approved.span,
                                hint="add the date to the line: approved: ... on YYYY-MM-DD")
        return
    approval = approved.date.when
    if approval is None:
        return  # an impossible date: check has reported it
    start = ctx.start_when
    first = is_on_or_before(approval, start)
    if first is True:
        return
    if ctx.scheme.runs is None:
        if first is False:
            yield RULE.not_recorded(ctx, f"the scheme was approved {approval.phrase}, after its contract year began "
                                    f"on {describe_date(start.earliest)}; the running period is not recorded, so it "
                                    "cannot be confirmed that the scheme started only after approval",
                                    approved.date.span, hint="add the running period: runs: START to END")
        else:
            yield RULE.not_recorded(ctx, f"the scheme was approved {approval.phrase} and the running period is not "
                                    "recorded: whether the scheme started only after approval cannot be confirmed",
                                    approved.date.span, hint="add the running period (runs: START to END) and the "
                                    "day of approval (approved: ... on YYYY-MM-DD)")
        return
    if first is None:
        yield RULE.not_recorded(ctx, f"the scheme was approved {approval.phrase} and started {start.phrase}: whether "
                                "it was approved before it started depends on the day, which the scheme does not "
                                "record", approved.date.span,
                                hint=_record_the_days(approval, start))
        return
    days = (approval.earliest - start.latest).days
    late = f"{days} day(s)" if approval.exact and start.exact else f"at least {days} day(s)"
    yield RULE.breach(ctx, f"the scheme was approved {approval.phrase}, {late} after it started {start.phrase}: a "
                      "scheme cannot be approved retrospectively", approved.date.span,
                      hint="a scheme may start on or after the day it is approved")


def _record_the_days(approval, start) -> str:
    lines = ([] if approval.exact else ["approved: ... on YYYY-MM-DD"]) + \
        ([] if start.exact else ["runs: YYYY-MM-DD to ..."])
    return "record the day, if a source gives it: " + "; ".join(lines)


RULE = Rule(
    code="QV103", name="approved-before-start",
    title="Approval is recorded, with its date, before the scheme starts",
    severity=ERROR,
    severity_reason="Approving a scheme after it has started changes what practices are paid for work "
                    "already done under the national rules: the unfairness NHS England's legal advice "
                    "named in the Leeds case. A missing approval date is a warning: the reviewer must find "
                    "the date before signing.",
    source="Pulse, 'QOF opt-out for Leeds GPs not possible' (2017): adjusting payments part-way through "
           "a year 'would be very unfair'; the 2014 schemes that were allowed were agreed with NHS England "
           "before they started (Pulse, 'GPs in another area allowed to ditch QOF reporting…', 2014).",
    explanation="The `approved:` line should give the date of approval (`on YYYY-MM-DD`), and that date "
                "must be on or before the scheme's first day (`runs:`, or 1 April of the contract year when "
                "no running period is recorded). No retrospective schemes.",
    breaking_example='''scheme approved-late "Approved after it started"
  contract: england 2013/14
  approved: nhs-england area-team "Leicestershire and Lincolnshire" on 2014-02-20
  runs: 2014-02-01 to 2014-03-31
  eligible when: practice opted in

  rule "Everything as usual":
    applies to: all indicators
    pay: achievement
''',
    passing_example='''scheme approved-first "Approved before it started"
  contract: england 2013/14
  approved: nhs-england area-team "Leicestershire and Lincolnshire" on 2014-01-20
  runs: 2014-02-01 to 2014-03-31
  eligible when: practice opted in

  rule "Everything as usual":
    applies to: all indicators
    pay: achievement
''',
    check=check,
    judges=LOCAL_SCHEMES,
)
