"""SARIF 2.1.0 output, so that findings show as code-scanning annotations on a pull request.

Plain JSON (no SARIF library on PyPI is both well kept and needed for a log this small), checked
in tests against the official OASIS schema. What GitHub code scanning reads:
``runs[].tool.driver.rules`` (id, name, short and full descriptions, help, ``helpUri``, default
level) and ``runs[].results`` (ruleId, ruleIndex, level, message, one physical location with a
relative ``artifactLocation.uri`` and a 1-based ``region``, ``partialFingerprints``).

* Every result has a rule entry: the validator's rules (``QV…``, helpUri to the rule's section of
  docs/rules.md), the waiver findings, and every check, syntax, data and evaluation code a result
  uses (``QR…``, ``QD…``, ``QE…``, described from docs/diagnostics.md: :mod:`qofrules.codes`).
* Columns are counted in UTF-16 code units, SARIF's default ``columnKind`` (said explicitly),
  while qofrules' own text output counts characters: a line with ``£`` or an emoji before the
  finding gives different numbers, each right for its reader.
* ``partialFingerprints["qofrules/v1"]`` identifies a finding across commits that move it: a hash
  of the rule, the file, the text of the line it is on (spaces collapsed) and how many identical
  findings come before it, so code scanning matches an alert to the same alert after an edit
  elsewhere in the file instead of closing and reopening it.
* Waived findings carry an ``inSource`` suppression with the waiver's reason, so they show as
  dismissed, not hidden. A finding the validator cannot judge is a result of ``kind: open``
  ("there was insufficient information to decide whether the result was a pass or a fail",
  SARIF 2.1.0 §3.27.9), whose level the standard then requires to be ``none``.
* A finding in standard input has a location only when ``--stdin-filename`` names its file.
"""
from __future__ import annotations

import hashlib
from pathlib import PurePath, PureWindowsPath
from urllib.parse import quote

from . import __version__
from .codes import DOCS_URL, first_sentence, help_uri, plain, shipped
from .diagnostics import CANNOT_JUDGE, ERROR, WARNING, Diagnostic
from .rules import all_rules
from .rules.registry import WAIVER_CODES
from .validate import WAIVED, ValidationReport

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"
INFORMATION_URI = DOCS_URL + "rules.md"
LEVELS = {ERROR: "error", WARNING: "warning"}
FINGERPRINT = "qofrules/v1"
STDIN_NAME = "<stdin>"


def rule_help_uri(rule) -> str:
    """A validation rule's section of docs/rules.md (its heading is '## CODE name')."""
    return f"{DOCS_URL}rules.md#{rule.code.lower()}-{rule.name}"


def _rule_descriptors() -> list[dict]:
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
            "helpUri": rule_help_uri(rule),
            "defaultConfiguration": {"level": LEVELS[rule.severity]},
            "properties": {"source": rule.source},
        })
    for code, title in WAIVER_CODES.items():
        out.append({"id": code, "name": f"waiver-{code[-3:]}", "shortDescription": {"text": title},
                    "fullDescription": {"text": title + " (a finding about a waiver recorded in the scheme)."},
                    "help": {"text": "See docs/rules.md, 'Waivers'.",
                             "markdown": "See [docs/rules.md, Waivers](" + DOCS_URL + "rules.md#waivers)."},
                    "helpUri": DOCS_URL + "rules.md#waivers",
                    "defaultConfiguration": {"level": "warning"}})
    return out


def code_descriptor(code: str) -> dict:
    """The rule entry of a check, syntax, data or evaluation code, from docs/diagnostics.md."""
    entry = shipped().get(code)
    if entry is None:  # a code the shipped table lacks still gets an entry that says where to look
        text = f"qofrules diagnostic {code}: see docs/diagnostics.md."
        return {"id": code, "name": code.lower(), "shortDescription": {"text": text},
                "fullDescription": {"text": text}, "help": {"text": text}, "helpUri": help_uri(code),
                "defaultConfiguration": {"level": "error"}}
    meaning, fix = plain(entry["meaning"]), plain(entry["fix"])
    severity = entry["severity"].split(",")[0].strip()
    return {"id": code, "name": code.lower(),
            "shortDescription": {"text": first_sentence(meaning)},
            "fullDescription": {"text": meaning},
            "help": {"text": f"{meaning}\n\nHow to fix it: {fix}",
                     "markdown": f"{entry['meaning']}\n\n**How to fix it:** {entry['fix']}"},
            "helpUri": help_uri(code),
            "defaultConfiguration": {"level": LEVELS.get(severity, "warning")},
            "properties": {"severity": entry["severity"]}}


def descriptors(codes_used) -> list[dict]:
    """Every validation rule and waiver code, then each other code the results use, sorted."""
    out = _rule_descriptors()
    known = {d["id"] for d in out}
    out += [code_descriptor(code) for code in sorted(set(codes_used) - known)]
    return out


def artifact_uri(name: str) -> str:
    """A relative, forward-slashed, percent-encoded URI for a path as the user typed it."""
    if PureWindowsPath(name).is_absolute() and not name.startswith("/"):
        return PureWindowsPath(name).as_uri()
    if name.startswith("/"):
        return PurePath(name).as_uri()
    return quote(name.replace("\\", "/"))


def utf16_column(line_text: str, column: int) -> int:
    """A 1-based column in characters as a 1-based column in UTF-16 code units."""
    before = line_text[:max(column - 1, 0)]
    return len(before.encode("utf-16-le")) // 2 + 1 + max(column - 1 - len(before), 0)


def region(d: Diagnostic) -> dict | None:
    span = d.span
    if span is None or span.line <= 0:
        return None
    text = d.source.line_text if d.source is not None else (lambda _: "")
    start_line, end_line = span.line, max(span.end_line, span.line)
    start = utf16_column(text(start_line), max(span.column, 1))
    if end_line > start_line:
        end = utf16_column(text(end_line), max(span.end_column, 1))
    else:
        end = max(utf16_column(text(start_line), max(span.end_column, 1)), start + 1)
    return {"startLine": start_line, "startColumn": start, "endLine": end_line, "endColumn": end}


def _location(d: Diagnostic) -> list[dict] | None:
    if d.source is None or d.source.name == STDIN_NAME:
        return None
    physical: dict = {"artifactLocation": {"uri": artifact_uri(d.source.name)}}
    found = region(d)
    if found is not None:
        physical["region"] = found
    return [{"physicalLocation": physical}]


def _fingerprint_key(d: Diagnostic) -> str:
    name = d.source.name if d.source is not None else ""
    line = ""
    if d.source is not None and d.span is not None:
        line = " ".join(d.source.line_text(d.span.line).split())
    return "\0".join((d.code, name, line if line else d.message))


def _add_fingerprints(results: list[dict], diagnostics: list[Diagnostic]) -> None:
    seen: dict[str, int] = {}
    for result, d in zip(results, diagnostics):
        key = _fingerprint_key(d)
        seen[key] = seen.get(key, 0) + 1
        digest = hashlib.sha256(f"{key}\0{seen[key]}".encode("utf-8")).hexdigest()[:32]
        result["partialFingerprints"] = {FINGERPRINT: digest}


def _message(d: Diagnostic) -> str:
    from .diagnostics import resolve_hint
    hint = resolve_hint(d.hint)
    return d.message + (f"\nHint: {hint}" if hint else "")


def _plain_result(d: Diagnostic, severity: str) -> dict:
    result: dict = {"ruleId": d.code, "level": LEVELS.get(severity, "note"), "message": {"text": _message(d)}}
    if severity == CANNOT_JUDGE:
        result.update(kind="open", level="none")
    locations = _location(d)
    if locations:
        result["locations"] = locations
    return result


def _finding_result(finding) -> dict:
    d = finding.diagnostic
    severity = finding.original_severity if d.severity == WAIVED else d.severity
    result = _plain_result(d, severity)
    if finding.rule is not None:
        result["message"]["text"] += f"\nSource: {finding.rule.source}"
    if finding.waiver is not None:
        w = finding.waiver
        result["suppressions"] = [{"kind": "inSource", "status": "accepted",
                                   "justification": f"waiver granted on {w.granted_on.text}: {w.reason.value}"}]
    return result


def _log(results: list[dict], diagnostics: list[Diagnostic], successful: bool, properties: dict) -> dict:
    rules = descriptors(d.code for d in diagnostics)
    index = {r["id"]: i for i, r in enumerate(rules)}
    for result in results:
        result["ruleIndex"] = index[result["ruleId"]]
    _add_fingerprints(results, diagnostics)
    return {
        "$schema": SCHEMA,
        "version": VERSION,
        "runs": [{
            "tool": {"driver": {"name": "qofrules", "version": __version__, "informationUri": INFORMATION_URI,
                                "rules": rules}},
            "results": results,
            "columnKind": "utf16CodeUnits",
            "invocations": [{"executionSuccessful": successful}],
            "properties": properties,
        }],
    }


def to_sarif(reports: list[ValidationReport]) -> dict:
    """``validate --format sarif``: every finding of every scheme, and each scheme's verdict."""
    findings = [f for report in reports for f in report.findings]
    return _log([_finding_result(f) for f in findings], [f.diagnostic for f in findings],
                not any(r.syntax_error for r in reports),
                {"verdicts": [{"file": r.source.name, "verdict": r.verdict,
                               **({"judged_as": r.judgement.kind} if r.judgement else {}),
                               **({"supplied_figures": list(r.supplied)} if r.supplied else {})}
                              for r in reports]})


def check_sarif(reports) -> dict:
    """``check --format sarif``: every problem ``check`` found (``api.CheckReport``s)."""
    diagnostics = [d for report in reports for d in report.diagnostics]
    return _log([_plain_result(d, d.severity) for d in diagnostics], diagnostics,
                not any(r.syntax_error for r in reports),
                {"files": [{"file": r.source.name, "ok": r.ok} for r in reports]})
