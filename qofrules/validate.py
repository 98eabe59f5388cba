"""Validation: is a checked scheme a lawful variation of the national contract?

``validate`` runs ``check`` first (a scheme with check errors cannot be validated; its errors are
the findings), then every rule of :mod:`qofrules.rules` in registry order, then applies the
scheme's waivers, and gives a verdict a contract reviewer can sign:

* **rejected** — an error that no valid waiver covers (or the file did not parse or check);
* **cannot judge** — no such error, but a rule needs a fact that neither the scheme nor qofrules'
  national data holds (the contract year does not ship, a figure is unknown, a body's powers are
  not recorded); each such finding says what would let it judge;
* **accepted with warnings** — nothing of the above, but warnings or waived findings to read;
* **accepted** — nothing found.

Before any rule runs, the scheme is judged by who made it (:mod:`qofrules.rules.judgement`): a
national amendment, a local variation agreed by the national commissioner, or a local body's
alternative. Each rule runs only for the kinds of scheme it binds, and the report says which
authority the scheme was judged as.

Waivers (``waiver: QV103 granted by ... on DATE [until DATE] because "..."``):

* a waived finding is still reported, as ``waived``, with the waiver beside it;
* a waiver counts only if it covers the whole period the scheme runs (its ``until`` is on or after
  the scheme's last day). It is judged against the scheme's own dates, not today's, so a verdict
  never changes with the day it is run; an expired waiver counts as none (QV002);
* it counts only if a body that granted it had national power over the country's QOF on the day
  it was granted, or acted for the national commissioner (NHS England's regional and area teams)
  (QV003): a local body cannot waive the national rules that bind it;
* a waiver that names no rule (QV001) or waives a rule that does not fire (QV004) is a warning.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from . import ast
from .contracts.model import ContractYear
from .diagnostics import CANNOT_JUDGE, ERROR, WARNING, Diagnostic, QofError, Related, did_you_mean
from .rules import all_rules, find_rule
from .rules.authorities import COMMISSIONER, NATIONAL, UNSURE, Authorities
from .rules.authorities import load as load_authorities
from .rules.base import Rule, RuleContext, body_text, describe_date
from .rules.judgement import Judgement
from .printer import dated_text
from .source import Source

ACCEPTED = "accepted"
ACCEPTED_WITH_WARNINGS = "accepted with warnings"
CANNOT_JUDGE_VERDICT = "cannot judge"
REJECTED = "rejected"
WAIVED = "waived"
#: Every verdict, from the best to the worst (render_text counts them in this order).
VERDICTS = (ACCEPTED, ACCEPTED_WITH_WARNINGS, CANNOT_JUDGE_VERDICT, REJECTED)
#: Check codes that stop a scheme from being computed but not from being judged on who made it.
UNJUDGED_CHECK_CODES = frozenset({"QR211"})

#: How waivers are judged; printed in docs/rules.md.
WAIVER_POLICY = (
    "A scheme records a waiver of a rule as `waiver: QV103 granted by BODY on DATE [until DATE] because "
    "\"REASON\"` (the rule by code or name).",
    "A waived finding is still reported, as `waived`, with the waiver beside it; it does not reject the "
    "scheme, but the verdict is at best *accepted with warnings*.",
    "A waiver counts only if it covers the whole period the scheme runs: its `until` is on or after the "
    "scheme's last day. It is judged against the scheme's own dates, not today's, so a verdict never "
    "changes with the day it is run. An expired waiver counts as none (QV002).",
    "A waiver counts only if a body that granted it had national power over the country's QOF on the "
    "day it was granted, or was NHS England's regional or area team acting for it (QV003): a local body "
    "cannot waive the national rules that bind it.",
    "A waiver that names no rule (QV001), or waives a rule that does not fire for the scheme (QV004), "
    "is itself a warning, so that it cannot silently hide a future finding.",
)


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One thing the validator found: the diagnostic as shown, the rule behind it, any waiver."""

    diagnostic: Diagnostic
    rule: Rule | None = None              # None for check diagnostics and waiver findings
    waiver: ast.WaiverField | None = None
    original_severity: str | None = None  # set when waived
    judged_as: str | None = None          # the kind of scheme the rule judged (rules' findings only)

    @property
    def severity(self) -> str:
        return self.diagnostic.severity

    def render(self, source_shown: bool = False) -> str:
        """The diagnostic, then the rule's source (or, when an earlier finding of the same rule has
        printed it, a pointer to it, so that a long source is read once per run)."""
        text = self.diagnostic.render()
        if self.rule is not None:
            text += f"\n  source: as above ({self.rule.code})" if source_shown else f"\n  source: {self.rule.source}"
        return text

    def to_json(self) -> dict:
        data = self.diagnostic.to_json()
        if self.rule is not None:
            data.update(rule=self.rule.name, title=self.rule.title, source=self.rule.source)
        if self.judged_as is not None:
            data["judged_as"] = self.judged_as
        if self.waiver is not None:
            data["original_severity"] = self.original_severity
            data["waiver"] = waiver_plain(self.waiver)
        return data


def waiver_plain(waiver: ast.WaiverField) -> dict:
    return {"rule": waiver.rule.text, "granted_by": [body_text(b) for b in waiver.granted_by],
            "granted_on": waiver.granted_on.text, "until": waiver.until.text if waiver.until else None,
            "reason": waiver.reason.value, "line": waiver.span.line}


@dataclass(frozen=True, kw_only=True)
class ValidationReport:
    source: Source
    scheme: ast.Scheme | None
    findings: tuple[Finding, ...]
    validated: bool          # False when the scheme did not parse or had check errors
    syntax_error: bool = False
    judgement: Judgement | None = None  # which authority the scheme was judged as made by
    supplied: tuple[str, ...] = ()      # "FILE: LABEL" of the user's figures the rules judged with

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def verdict(self) -> str:
        if not self.validated or self.count(ERROR):
            return REJECTED
        if self.count(CANNOT_JUDGE):
            return CANNOT_JUDGE_VERDICT
        if self.findings:
            return ACCEPTED_WITH_WARNINGS
        return ACCEPTED

    @property
    def ok(self) -> bool:
        """Accepted, with or without warnings: a reviewer may sign it."""
        return self.verdict in (ACCEPTED, ACCEPTED_WITH_WARNINGS)

    def summary(self) -> str:
        counts = (f"{self.count(ERROR)} error(s), {self.count(CANNOT_JUDGE)} cannot judge, "
                  f"{self.count(WARNING)} warning(s), {self.count(WAIVED)} waived")
        if self.syntax_error:
            return f"{self.verdict}: the file could not be read or parsed"
        if not self.validated:
            return f"{self.verdict}: not validated, because `check` found errors ({counts})"
        return f"{self.verdict} ({counts})"

    def to_plain(self) -> dict:
        return {"file": self.source.name, "scheme": self.scheme.id.text if self.scheme else None,
                "verdict": self.verdict, "ok": self.ok, "validated": self.validated,
                "syntax_error": self.syntax_error,
                "judged_as": self.judgement.to_plain() if self.judgement else None,
                "supplied_figures": list(self.supplied),
                "counts": {"errors": self.count(ERROR), "cannot_judge": self.count(CANNOT_JUDGE),
                           "warnings": self.count(WARNING), "waived": self.count(WAIVED)},
                "findings": [f.to_json() for f in self.findings]}


def validate_report(check_report, data_years: tuple[str, ...] | None = None,
                    authorities: Authorities | None = None, data=None) -> ValidationReport:
    """Validate a scheme that ``check`` has already been run on (``api.CheckReport``).

    ``data`` (:class:`~qofrules.data.facts.DataFacts`) is the data set the scheme will be run on:
    its years stand for ``data_years``, and what ``run`` would refuse of the scheme on it is
    reported too (:func:`data_findings`), so that a scheme accepted with its data also runs on it."""
    if data is not None:
        data_years = data.years
    source, scheme = check_report.source, check_report.scheme
    check_findings = [Finding(diagnostic=d) for d in check_report.diagnostics]
    contract = check_report.contract
    if scheme is not None and contract is None and _only_unshipped_year(check_report):
        # The year does not ship: who made the scheme can still be judged, the rest cannot.
        check_findings = [Finding(diagnostic=replace(f.diagnostic, severity=CANNOT_JUDGE))
                          if f.diagnostic.code in UNJUDGED_CHECK_CODES else f for f in check_findings]
        contract = unshipped_year(scheme.contract)
    elif scheme is None or not check_report.ok or contract is None:
        return ValidationReport(source=source, scheme=scheme, findings=tuple(check_findings), validated=False,
                                syntax_error=check_report.syntax_error)
    ctx = RuleContext(source=source, scheme=scheme, contract=contract,
                      authorities=authorities or load_authorities(), data_years=data_years)
    fired: list[Finding] = []
    for rule in all_rules():
        if rule.applies(ctx):
            fired.extend(Finding(diagnostic=d, rule=rule, judged_as=ctx.judgement.kind) for d in rule.check(ctx))
    findings = check_findings + apply_waivers(ctx, fired)
    if data is not None and check_report.contract is not None:
        findings += [Finding(diagnostic=d) for d in data_findings(scheme, check_report.contract, source, data)]
    findings.sort(key=_order)
    return ValidationReport(source=source, scheme=scheme, findings=tuple(findings), validated=True,
                            judgement=ctx.judgement, supplied=supplied_by(contract))


def data_findings(scheme: ast.Scheme, contract: ContractYear, source: Source, data) -> list:
    """What ``run`` would refuse of this scheme on this data, in its own words and codes: the data
    set's own overrides file for another year (QR312), a figure the contract year lacks (QE001,
    QE004: 'cannot judge', since what is missing is national data, not a fault of the scheme), a
    column the scheme tests and the data lacks (QE002, QE003), a local indicator the data does not
    report (QE030). A data file that cannot be read is the finding of the scheme that needed it."""
    from .compiler import compile_scheme
    from .contracts import overrides_for_another_year
    from .eligibility import columns_lacking
    from .engine.exact import local_measures_lacking
    found = []
    own = data.overrides_key
    if own is not None and own[0] != contract.key:
        found.append(overrides_for_another_year(own[0], contract.key, own[1]))
    try:
        compile_scheme(scheme, contract, source)
    except QofError as exc:
        found += [replace(d, severity=CANNOT_JUDGE) if d.code in NO_NATIONAL_FIGURE else d for d in exc.diagnostics]
    found += columns_lacking(scheme, data.area_columns, data.attribute_names, data.name, source)
    if scheme.local_indicators:  # only then are the achievement files read
        try:
            codes = data.codes(contract.year)
        except QofError as exc:
            found += list(exc.diagnostics)
        else:
            found += local_measures_lacking(scheme.local_indicators, contract.year, codes, data.name, source)
    return found


#: What run refuses for want of a national figure or indicator list (the scheme is not at fault).
NO_NATIONAL_FIGURE = ("QE001", "QE004")


def supplied_by(contract: ContractYear) -> tuple[str, ...]:
    """Where the figures a user supplied came from, each said once: a verdict that rests on them
    must say so, as run's results do."""
    from .contracts.model import SUPPLIED
    found: dict[str, int] = {}
    for _, figure in contract.figures():
        if figure.status == SUPPLIED:
            found[figure.source] = found.get(figure.source, 0) + 1
    return tuple(f"{origin} ({count} figure(s))" for origin, count in found.items())


def _only_unshipped_year(check_report) -> bool:
    errors = [d for d in check_report.diagnostics if d.is_error]
    return bool(errors) and all(d.code in UNJUDGED_CHECK_CODES for d in errors)


def unshipped_year(field: ast.ContractField) -> ContractYear:
    """A stand-in for a contract year qofrules does not ship: its country and dates, and nothing
    else known, so the rules that need its indicators or figures cannot judge (and say so)."""
    from .contracts.model import UNKNOWN, Figure
    unknown = Figure(value=None, status=UNKNOWN, note="qofrules ships no data for this year")
    return ContractYear(country=field.country.text, year=field.year.text, title=f"{field.country.text} "
                        f"{field.year.text} (not shipped)", complete=False, point_value=unknown,
                        average_list_size=unknown, zero_denominator=unknown, published_total_points=unknown,
                        published_indicator_count=unknown,
                        groups={}, indicators={}, notes="not shipped")


def _order(finding: Finding):
    span = finding.diagnostic.span
    return ((span.line, span.column) if span else (0, 0)), finding.diagnostic.code


def apply_waivers(ctx: RuleContext, fired: list[Finding]) -> list[Finding]:
    out = list(fired)
    for waiver in ctx.scheme.waivers:
        rule = find_rule(waiver.rule.text)
        if rule is None:
            out.append(_waiver_finding(ctx, "QV001", f"the waiver names '{waiver.rule.text}', which is not a "
                                       "validation rule; it waives nothing", waiver.rule.span,
                                       did_you_mean(waiver.rule.text, [r.code for r in all_rules()])
                                       or "'qofrules rules' lists the rules"))
            continue
        problem = _invalid(ctx, waiver)
        if problem is not None:
            out.append(problem)
            continue
        matched = [i for i, f in enumerate(out) if f.rule is rule and f.waiver is None]
        if not matched:
            out.append(_waiver_finding(ctx, "QV004", f"the waiver of {rule.code} ({rule.title.lower()}) waives "
                                       "nothing: that rule does not fire for this scheme", waiver.span,
                                       "remove the waiver, so that it cannot hide a future finding"))
            continue
        note = Related(message=f"waived by {', '.join(body_text(b) for b in waiver.granted_by)} "
                       f"{dated_text(waiver.granted_on)}: {waiver.reason.value}", span=waiver.span)
        for i in matched:
            found = out[i]
            shown = replace(found.diagnostic, severity=WAIVED, related=found.diagnostic.related + (note,))
            out[i] = replace(found, diagnostic=shown, waiver=waiver, original_severity=found.severity)
    return out


def _invalid(ctx: RuleContext, waiver: ast.WaiverField) -> Finding | None:
    """Why the waiver counts as none, or None when it counts."""
    end = ctx.end_when
    if waiver.until is not None and waiver.until.value is not None and waiver.until.value < end.latest:
        if waiver.until.value < end.earliest:
            return _waiver_finding(ctx, "QV002", f"the waiver of {waiver.rule.text} ended on "
                                   f"{describe_date(waiver.until.value)}, before the scheme ends on "
                                   f"{describe_date(end.earliest)}, so it counts as no waiver", waiver.until.span,
                                   "a waiver must cover the whole period the scheme runs")
        return _waiver_finding(ctx, "QV002", f"the waiver of {waiver.rule.text} ended on "
                               f"{describe_date(waiver.until.value)}, and the scheme ends {end.phrase}: whether the "
                               "waiver covers the whole period depends on the day, so it counts as no waiver",
                               waiver.until.span, "give the scheme's end to the day (runs: ... to YYYY-MM-DD)")
    granted = waiver.granted_on.when
    powers = [ctx.authorities.power(b, ctx.country, granted) for b in waiver.granted_by] if granted else []
    if granted is not None and not (NATIONAL in powers or COMMISSIONER in powers):
        who = ", ".join(body_text(b) for b in waiver.granted_by)
        if UNSURE in powers:
            return _waiver_finding(ctx, "QV003", f"the waiver of {waiver.rule.text} was granted by {who} "
                                   f"{granted.phrase}; whether it then had national power over {ctx.country}'s QOF "
                                   "depends on the day, so it counts as no waiver", waiver.span,
                                   "record the day the waiver was granted (granted by ... on YYYY-MM-DD)")
        return _waiver_finding(ctx, "QV003", f"the waiver of {waiver.rule.text} was granted by {who}, which had no "
                               f"national power over {ctx.country}'s QOF {granted.phrase}, so it "
                               "counts as no waiver", waiver.span,
                               "only a body with national power (the Secretary of State, NHS England nationally or "
                               "through its regional and area teams, a devolved government for its own contract) "
                               "can waive its rules")
    return None


def _waiver_finding(ctx: RuleContext, code: str, message: str, span, hint: str | None) -> Finding:
    return Finding(diagnostic=Diagnostic(code=code, severity=WARNING, message=message, source=ctx.source,
                                         span=span, hint=hint))


def render_text(reports: list[ValidationReport]) -> str:
    """What ``qofrules validate`` prints: per scheme its verdict, then every finding, then a total.
    A rule's source (a paragraph) is printed at its first finding of the run; later findings of the
    rule, in that scheme or another, point back to it."""
    out: list[str] = []
    cited: set[str] = set()
    for report in reports:
        out.append(f"{report.source.name}: {report.summary()}")
        if report.judgement is not None:
            out.append(f"  judged as: {report.judgement.kind}, because {report.judgement.reason}")
        for origin in report.supplied:
            out.append(f"  judged with figures you supplied, NOT national figures: {origin}")
        for finding in report.findings:
            out.append(finding.render(source_shown=finding.diagnostic.code in cited))
            cited.add(finding.diagnostic.code)
        out.append("")
    verdicts = [r.verdict for r in reports]
    out.append(f"{len(reports)} scheme(s) validated: " + ", ".join(f"{verdicts.count(v)} {v}" for v in VERDICTS))
    return "\n".join(out) + "\n"
