"""SARIF 2.1.0 output, so that findings show as code-scanning annotations on a pull request.

Plain JSON (no SARIF library on PyPI is both well kept and needed for a log this small). What
GitHub code scanning reads: ``runs[].tool.driver.rules`` (id, name, short and full descriptions,
help, default level) and ``runs[].results`` (ruleId, level, message, one physical location with a
relative ``artifactLocation.uri`` and a 1-based ``region``). Waived findings carry an
``inSource`` suppression with the waiver's reason, so they show as dismissed, not hidden. A
finding the validator cannot judge is a result of ``kind: open`` ("there was insufficient
information to decide whether the result was a pass or a fail", SARIF 2.1.0 §3.27.9), whose level
the standard then requires to be ``none``: neither an error nor a warning, and not a pass.
"""
from __future__ import annotations

from pathlib import PurePath, PureWindowsPath
from urllib.parse import quote

from . import __version__
from .diagnostics import CANNOT_JUDGE, ERROR, WARNING
from .rules import all_rules
from .rules.registry import WAIVER_CODES
from .validate import WAIVED, ValidationReport

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"
INFORMATION_URI = "https://github.com/qofrules/qofrules/blob/main/docs/rules.md"
LEVELS = {ERROR: "error", WARNING: "warning"}


def _descriptors() -> list[dict]:
    out = []
    for rule in all_rules():
        out.append({
            "id": rule.code, "name": rule.name,
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.explanation},
            "help": {"text": f"{rule.explanation}\n\nWhy {rule.severity}: {rule.severity_reason}\n\n"
                             f"Source: {rule.source}",
                     "markdown": f"{rule.explanation}\n\n**Why {rule.severity}:** {rule.severity_reason}\n\n"
                                 f"**Source:** {rule.source}"},
            "defaultConfiguration": {"level": LEVELS[rule.severity]},
            "properties": {"source": rule.source},
        })
    for code, title in WAIVER_CODES.items():
        out.append({"id": code, "name": f"waiver-{code[-3:]}", "shortDescription": {"text": title},
                    "fullDescription": {"text": title + " (a finding about a waiver recorded in the scheme)."},
                    "help": {"text": "See docs/rules.md, 'Waivers'."},
                    "defaultConfiguration": {"level": "warning"}})
    return out


def artifact_uri(name: str) -> str:
    """A relative, forward-slashed, percent-encoded URI for a path as the user typed it."""
    if PureWindowsPath(name).is_absolute() and not name.startswith("/"):
        return PureWindowsPath(name).as_uri()
    if name.startswith("/"):
        return PurePath(name).as_uri()
    return quote(name.replace("\\", "/"))


def _result(finding, index: dict[str, int]) -> dict:
    d = finding.diagnostic
    severity = finding.original_severity if d.severity == WAIVED else d.severity
    message = d.message + (f"\nHint: {d.hint}" if d.hint else "")
    if finding.rule is not None:
        message += f"\nSource: {finding.rule.source}"
    result: dict = {"ruleId": d.code, "level": LEVELS.get(severity, "note"), "message": {"text": message}}
    if severity == CANNOT_JUDGE:
        result.update(kind="open", level="none")
    if d.code in index:
        result["ruleIndex"] = index[d.code]
    if d.source is not None and d.source.name != "<stdin>":
        location: dict = {"physicalLocation": {"artifactLocation": {"uri": artifact_uri(d.source.name)}}}
        if d.span is not None and d.span.line > 0:
            location["physicalLocation"]["region"] = {
                "startLine": d.span.line, "startColumn": max(d.span.column, 1),
                "endLine": max(d.span.end_line, d.span.line),
                "endColumn": max(d.span.end_column, 1) if d.span.end_line > d.span.line
                else max(d.span.end_column, d.span.column + 1)}
        result["locations"] = [location]
    if finding.waiver is not None:
        w = finding.waiver
        result["suppressions"] = [{"kind": "inSource", "status": "accepted",
                                   "justification": f"waiver granted on {w.granted_on.text}: {w.reason.value}"}]
    return result


def to_sarif(reports: list[ValidationReport]) -> dict:
    descriptors = _descriptors()
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    results = [_result(f, index) for report in reports for f in report.findings]
    return {
        "$schema": SCHEMA,
        "version": VERSION,
        "runs": [{
            "tool": {"driver": {"name": "qofrules", "version": __version__, "informationUri": INFORMATION_URI,
                                "rules": descriptors}},
            "results": results,
            "invocations": [{"executionSuccessful": not any(r.syntax_error for r in reports)}],
            "properties": {"verdicts": [{"file": r.source.name, "verdict": r.verdict,
                                         **({"judged_as": r.judgement.kind} if r.judgement else {}),
                                         **({"supplied_figures": list(r.supplied)} if r.supplied else {})}
                                        for r in reports]},
        }],
    }
