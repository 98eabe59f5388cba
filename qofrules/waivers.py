"""A repository's waivers policy (the ``waivers`` setting, ``validate --waivers``).

``honour`` (the default) judges the waivers a scheme records as docs/rules.md, "Waivers", says.
``ignore`` is for a repository whose reviewers accept no recorded waiver: every finding keeps its
own severity, so a waived error still rejects the scheme, and the waiver is named beside the
finding ("a waiver is recorded ..., but waivers are not honoured here") so nobody wonders why it
did not count. Policy is applied to the validator's report, not inside the rules, so a verdict
under either policy comes from the same findings.
"""
from __future__ import annotations

from dataclasses import replace

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the validator is imported when a report is judged, not with the command line
    from .validate import ValidationReport

HONOUR, IGNORE = "honour", "ignore"
POLICIES = (HONOUR, IGNORE)


def apply_policy(report: ValidationReport, policy: str) -> ValidationReport:
    if policy == HONOUR:
        return report
    from .validate import WAIVED
    findings = tuple(_unwaived(f) if f.severity == WAIVED else f for f in report.findings)
    return replace(report, findings=findings)


def _unwaived(finding):
    waiver_span = finding.waiver.span
    related = tuple(
        replace(r, message=f"a waiver is recorded ({r.message.removeprefix('waived ')}), but waivers are not "
                           "honoured here (the waivers setting is 'ignore')") if r.span == waiver_span else r
        for r in finding.diagnostic.related)
    diagnostic = replace(finding.diagnostic, severity=finding.original_severity, related=related)
    return replace(finding, diagnostic=diagnostic, waiver=None, original_severity=None)
