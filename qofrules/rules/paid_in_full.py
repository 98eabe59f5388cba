"""QV107: a "paid in full" opt-out covers only indicators that really retire at the next 1 April."""
from __future__ import annotations

import datetime as dt

from .. import ast
from ..selection import coverage
from .base import ERROR, Rule, describe_date, unlisted_codes
from .judgement import LOCAL_SCHEMES


def check(ctx):
    contract = ctx.contract
    next_april = contract.last_day + dt.timedelta(days=1)
    paid = coverage(ctx.scheme.rules, contract)
    for index, rule in enumerate(ctx.scheme.rules):
        if rule.pay is None or not isinstance(rule.pay.basis, ast.FullPoints) or rule.applies is None:
            continue
        selector = rule.applies.selector
        for term in selector.include:
            if isinstance(term, ast.Retiring) and term.date.value is not None:
                yield from _retiring_term(ctx, rule, term, next_april)
        if all(isinstance(t, ast.Retiring) for t in selector.include):
            continue  # every indicator it picks retires on the date named, checked above
        # Only a selection wider than named codes can reach indicators a partial year does not list.
        broad = any(not isinstance(t, (ast.Codes, ast.Retiring)) for t in selector.include)
        unsure = unlisted_codes(rule, contract)
        for code in paid.get(index, []):
            retires = contract.indicators[code].retirement_date
            if retires == next_april:
                continue
            if retires is None and not contract.complete and not contract.indicators[code].stays:
                unsure.append(code)
                continue
            when = f"retires on {describe_date(retires)}" if retires else "does not retire"
            yield RULE.breach(ctx, f"rule \"{rule.title.value}\" pays {code} in full, but {code} {when}, not at the "
                              f"end of {contract.year} ({describe_date(next_april)}); a paid-in-full opt-out may "
                              "cover only indicators that are leaving QOF", rule.applies.span,
                              hint=f"pay {code} on achievement, or select: indicators retiring {next_april}")
        if unsure or (broad and not contract.complete):
            listed = f" ({', '.join(unsure)})" if unsure else ""
            yield RULE.cannot_judge(
                ctx, f"rule \"{rule.title.value}\" pays indicators in full, but qofrules' data for {contract.key} is "
                f"incomplete ({contract.listed} indicators listed): it cannot confirm that every "
                f"indicator the rule covers{listed} retires on {describe_date(next_april)}", rule.applies.span,
                hint=f"select the retiring indicators by date (indicators retiring {next_april}), or supply the "
                     "retirement dates of the indicators named with --contract-overrides")


def _retiring_term(ctx, rule, term, next_april):
    contract = ctx.contract
    date = term.date.value
    if date != next_april:
        yield RULE.breach(ctx, f"rule \"{rule.title.value}\" pays in full the indicators retiring on "
                          f"{describe_date(date)}, but only indicators retiring at the end of {contract.year}, on "
                          f"{describe_date(next_april)}, may be paid in full without evidence", term.span,
                          hint=f"indicators retiring {next_april}")
        return
    if not any(ind.retirement_date == date for ind in contract.indicators.values()):
        if contract.complete:
            yield RULE.breach(ctx, f"no indicator of {contract.key} retires on {describe_date(date)}", term.span)
        else:
            yield RULE.cannot_judge(ctx, f"qofrules' data for {contract.key} is incomplete and records no indicator "
                                    f"retiring on {describe_date(date)}: which indicators this rule pays in full "
                                    "cannot be confirmed", term.span,
                                    hint="supply the retirement dates of the indicators concerned with "
                                         "--contract-overrides (docs/contracts.md)")


RULE = Rule(
    code="QV107", name="paid-in-full-only-retiring",
    title="A paid-in-full opt-out covers only indicators that retire at the next 1 April",
    severity=ERROR,
    severity_reason="Paying points in full without evidence for an indicator that stays in QOF pays for "
                    "work nobody has to do, under a contract that still requires it. Where the contract "
                    "year's data is incomplete the rule cannot confirm retirement and says so as a warning.",
    source="NHS Employers, 2014/15 GMS contract changes (15 November 2013): 351 points in 40 indicators "
           "retiring from QOF on 1 April 2014; the Lincolnshire/LLR and Devon and Cornwall schemes paid "
           "exactly those in full (Pulse, 'GPs in another area allowed to ditch QOF reporting…', 2014).",
    explanation="For every rule that pays `full points`: if it selects `indicators retiring DATE`, the "
                "date must be the 1 April that ends the contract year and must be a retirement date in the "
                "contract data; any other selection (codes, groups, domains, all) may cover only "
                "indicators whose recorded retirement date is that 1 April. An indicator with no recorded "
                "retirement is an error in a complete contract year and a warning in an incomplete one.",
    breaking_example='''scheme af-in-full "Atrial fibrillation paid in full"
  contract: england 2023/24
  approved: nhs-england region "North East and Yorkshire" on 2023-03-01
  runs: 2023-04-01 to 2024-03-31
  eligible when: practice opted in

  rule "AF register paid in full":
    applies to: indicator AF001
    reporting: not required
    pay: full points

  rule "Everything else as usual":
    applies to: all other indicators
    pay: achievement
''',
    passing_example='''scheme retiring-in-full "Retiring points paid in full"
  contract: england 2013/14
  approved: nhs-england area-team "Leicestershire and Lincolnshire" on 2014-01-20
  runs: 2014-02-01 to 2014-03-31
  eligible when: practice opted in

  rule "Retiring points paid in full":
    applies to: indicators retiring 2014-04-01
    reporting: not required
    pay: full points

  rule "Everything else as usual":
    applies to: all other indicators
    pay: achievement
''',
    check=check,
    judges=LOCAL_SCHEMES,
)
