"""What a validation rule is, and what it is given.

A rule is data about itself (code, title, severity and why, the source it rests on, an
explanation, an example that breaks it and one that passes) plus one ``check`` function from a
:class:`RuleContext` to diagnostics. The text is what ``qofrules rules`` prints and what
``docs/rules.md`` is generated from, so the documentation cannot drift from the code.

Every rule first asks which authority made the scheme (:mod:`qofrules.rules.judgement`): a rule
runs only for the kinds of scheme in its ``judges``, so NHS England's national amendments are not
held to the rules that bind a CCG's local alternative.

Dates are compared as the days they could be (``start_when``, ``end_when``, ``approval_when``,
``acted_on`` are :class:`qofrules.dates.When`): a scheme may give a date only to the month or the
year, and a rule must not pick one of its days (there is deliberately no ``ctx.start`` day).

A fact a rule needs that the scheme does not record is a warning saying what is missing
(``not_recorded``: the author can add it); a fact that qofrules' national data lacks is a
``cannot_judge`` finding saying what would let it judge. Never a silent pass.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Callable, Iterable

from .. import ast
from ..contracts.model import ContractYear
from ..diagnostics import CANNOT_JUDGE, ERROR, WARNING, Diagnostic, Related
from ..ast import walk_basis  # noqa: F401  (re-exported for the rule modules)
from ..printer import body_text  # noqa: F401  (one body printer for the whole tool)
from ..plainwords import COUNTRY_NAMES  # noqa: F401  (re-exported for the rule modules)
from ..source import Source, Span
from ..dates import When
from .authorities import LOCAL, UNSURE, Authorities
from .judgement import EVERY_SCHEME, JUDGEMENTS as JUDGEMENT_ORDER, Judgement, judge


@dataclass(frozen=True, kw_only=True)
class RuleContext:
    source: Source
    scheme: ast.Scheme
    contract: ContractYear
    authorities: Authorities
    data_years: tuple[str, ...] | None = None  # years the --data set holds; None: no data given

    @property
    def country(self) -> str:
        return self.contract.country

    @property
    def country_name(self) -> str:
        """The country as a reader writes it ("Northern Ireland"), for findings' words."""
        return COUNTRY_NAMES.get(self.country, self.country)

    @property
    def start_when(self) -> When:
        """The days the scheme could start on: its running period's first day (or month, or year,
        as recorded), else the contract year's first day."""
        runs = self.scheme.runs
        if runs is not None and runs.start.when is not None:
            return runs.start.when
        return When.day(self.contract.first_day)

    @property
    def end_when(self) -> When:
        runs = self.scheme.runs
        if runs is not None and runs.end.when is not None:
            return runs.end.when
        return When.day(self.contract.last_day)

    @property
    def start_text(self) -> str:
        """The start, said so that a reader knows whether the scheme recorded it ('on 1 February
        2014', 'in June 2014', or the contract year's first day)."""
        runs = self.scheme.runs
        if runs is not None and runs.start.when is not None:
            return runs.start.when.phrase
        return f"on {describe_date(self.contract.first_day)} (the contract year's first day: no running period is recorded)"

    @property
    def approval_when(self) -> When | None:
        """The days the scheme could have been approved on, as its `approved:` line records them."""
        approved = self.scheme.approved
        if approved is None or approved.date is None:
            return None
        return approved.date.when

    @property
    def acted_on(self) -> When:
        """When the approvers acted, as far as the scheme says: the approval date, else its start.
        Their powers are judged on every day this could be."""
        return self.approval_when or self.start_when

    @property
    def approvers(self) -> tuple[ast.Body, ...]:
        approved = self.scheme.approved
        return approved.bodies if approved is not None else ()

    @functools.cached_property
    def judgement(self) -> Judgement:
        """Which authority made the scheme: decided once, read by every rule."""
        return judge(self)

    def local_approvers(self) -> list[ast.Body]:
        """Approving bodies whose only power is a local alternative (CCGs, ICBs), on the approval date
        (a local kind of body whose power then is none, or depends on the day, counts as local)."""
        on = self.acted_on
        return [b for b in self.approvers if self.authorities.power(b, self.country, on) == LOCAL
                or (self.authorities.power(b, self.country, on) in (None, UNSURE) and self.authorities.is_local_kind(b))]

    def depends_on_the_day(self, rule: "Rule", when: When, message: str, span: Span | None, hint: str) -> Diagnostic:
        """An answer that depends on a day qofrules does not have. If the scheme's own date is
        known only to the month or the year, the author can record the day: a warning, as for a
        date the scheme does not record at all. If the scheme's date is a day and the missing day
        is in qofrules' authorities data, a cannot-judge finding."""
        if when.exact:
            return rule.cannot_judge(self, message, span, hint=hint)
        return rule.not_recorded(self, message, span, hint=hint)


@dataclass(frozen=True, kw_only=True)
class Rule:
    code: str
    name: str                      # a short stable name, also accepted by waivers
    title: str
    severity: str                  # of a breach; facts not recorded are warnings
    severity_reason: str
    source: str                    # the document(s) the rule rests on
    explanation: str               # what it checks and why, for a commissioner
    breaking_example: str          # a whole scheme that breaks the rule
    passing_example: str           # a whole scheme that passes it
    check: Callable[[RuleContext], Iterable[Diagnostic]]
    #: The kinds of scheme (qofrules.rules.judgement.JUDGEMENTS) the rule judges; others it skips.
    judges: frozenset[str] = EVERY_SCHEME
    #: The years of practice data the examples are validated with (as if with --data), if any.
    example_data_years: tuple[str, ...] | None = None

    def breach(self, ctx: RuleContext, message: str, span: Span | None, hint: str | None = None,
               related: Iterable[Related] = ()) -> Diagnostic:
        return Diagnostic(code=self.code, severity=self.severity, message=message, source=ctx.source,
                          span=span, hint=hint, related=tuple(related))

    def not_recorded(self, ctx: RuleContext, message: str, span: Span | None, hint: str | None = None) -> Diagnostic:
        """A fact the rule needs is missing: a warning, so the reviewer establishes it by hand."""
        return Diagnostic(code=self.code, severity=WARNING, message=message, source=ctx.source, span=span,
                          hint=hint)

    def cannot_judge(self, ctx: RuleContext, message: str, span: Span | None, hint: str) -> Diagnostic:
        """A fact the rule needs is missing from qofrules' national data (or the year does not
        ship): neither a pass nor a breach. ``hint`` says what would let it judge."""
        return Diagnostic(code=self.code, severity=CANNOT_JUDGE, message=message, source=ctx.source, span=span,
                          hint=hint)

    def applies(self, ctx: RuleContext) -> bool:
        return ctx.judgement.kind in self.judges

    def to_plain(self) -> dict:
        return {"code": self.code, "name": self.name, "title": self.title, "severity": self.severity,
                "judges": [kind for kind in JUDGEMENT_ORDER if kind in self.judges],
                "severity_reason": self.severity_reason, "source": self.source,
                "explanation": self.explanation, "breaking_example": self.breaking_example,
                "passing_example": self.passing_example, "example_data_years": self.example_data_years}


def header_span(ctx: RuleContext) -> Span:
    """Where to point when a scheme lacks a header line: its ``scheme`` line."""
    return ctx.scheme.id.span


def describe_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def financial_years(when: When) -> set[str]:
    """The financial years the days ``when`` could be fall in (one, unless a month or a year is
    given where it straddles a 1 April)."""
    return {financial_year_of(when.earliest), financial_year_of(when.latest)}


def financial_year_of(day: dt.date) -> str:
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def months_into_year(day: dt.date) -> int:
    """Whole months of the financial year gone before ``day``'s month (1 Feb = 10)."""
    return (day.month - 4) % 12


__all__ = ["ERROR", "WARNING", "CANNOT_JUDGE", "Rule", "RuleContext", "header_span", "describe_date", "financial_year_of",
           "months_into_year"]


def guarantees_opt_in(condition: ast.Condition | None) -> bool:
    """True when every practice the condition admits has opted in (so joining is voluntary)."""
    if condition is None:
        return False
    if isinstance(condition, ast.OptedIn):
        return True
    if isinstance(condition, ast.AllOf):
        return any(guarantees_opt_in(item) for item in condition.items)
    if isinstance(condition, ast.AnyOf):
        return all(guarantees_opt_in(item) for item in condition.items)
    return False  # not (...), a pilot, an area, an attribute, every practice


def unlisted_codes(rule: ast.Rule, contract: ContractYear) -> list[str]:
    """Codes a rule names that a partial contract year does not list: real, perhaps, but qofrules
    knows nothing of them, so a rule about them cannot judge (check warns, QR212)."""
    if rule.applies is None:
        return []
    return [c.text for term in rule.applies.selector.include if isinstance(term, ast.Codes)
            for c in term.codes if c.text not in contract.indicators]


def eligibility_span(ctx: RuleContext) -> Span:
    found = ctx.scheme.field(ast.EligibleField)
    return found.span if found is not None else header_span(ctx)


NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven"]
