"""Findings for CI systems without code scanning: GitHub Actions workflow commands
(``--format github``) and JUnit XML (``--format junit``), for ``check`` and ``validate``.

* **github** prints one workflow command per finding, ``::error file=F,line=L,col=C,endLine=…,
  endColumn=…,title=CODE …::message``, which a GitHub Actions run shows as an annotation on the
  line of the pull request; warnings are ``::warning``, and what is neither a pass nor a breach
  (cannot judge) or has been waived is a ``::notice``. Values are escaped as the Actions runner
  reads them (``%``, CR and LF in the message; also ``:`` and ``,`` in properties). Columns are in
  characters, as in the text output.
* **junit** writes one ``<testsuite>`` per scheme file, holding one ``<testcase>`` per finding (an
  error is a ``<failure>``; a file that could not be read or parsed is an ``<error>``; cannot judge
  is ``<skipped>``, being neither; a warning or waived finding passes, its text in
  ``<system-out>``), and a single passing ``<testcase>`` when a file has no findings. ``validate``
  gives each suite the scheme's verdict as a property. No times or timestamps, so a file is the
  same for the same input. Written with the standard library's ElementTree (which escapes), and
  read back in the tests with junitparser, a real JUnit reader.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from .diagnostics import CANNOT_JUDGE, ERROR, WARNING, Diagnostic, resolve_hint

WAIVED = "waived"
STDIN_NAME = "<stdin>"


@dataclass(frozen=True)
class Item:
    """One finding to annotate, from check or validate, as the reader should see it."""

    file: str
    diagnostic: Diagnostic
    severity: str                 # error, warning, cannot-judge or waived
    title: str | None = None      # the validation rule's title, if any
    unreadable: bool = False      # the file could not be read or parsed


@dataclass(frozen=True)
class FileResult:
    """A scheme file and what was found in it."""

    file: str
    items: tuple[Item, ...]
    verdict: str | None = None    # validate's verdict


def from_check(reports) -> list[FileResult]:
    return [FileResult(r.source.name, tuple(Item(r.source.name, d, d.severity, unreadable=r.syntax_error and d.is_error)
                                            for d in r.diagnostics)) for r in reports]


def from_validate(reports) -> list[FileResult]:
    out = []
    for r in reports:
        items = tuple(Item(r.source.name, f.diagnostic, f.severity, f.rule.title if f.rule else None,
                           unreadable=r.syntax_error and f.severity == ERROR) for f in r.findings)
        out.append(FileResult(r.source.name, items, r.verdict))
    return out


# ------------------------------------------------------------------ GitHub Actions workflow commands

COMMANDS = {ERROR: "error", WARNING: "warning", CANNOT_JUDGE: "notice", WAIVED: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _message(item: Item) -> str:
    d = item.diagnostic
    lines = [d.message]
    if item.severity == CANNOT_JUDGE:
        lines[0] = "cannot judge: " + lines[0]
    elif item.severity == WAIVED:
        lines[0] = "waived: " + lines[0]
    for related in d.related:
        lines.append(f"note: {related.message} (line {related.span.line})")
    hint = resolve_hint(d.hint)
    if hint:
        lines.append(f"hint: {hint}")
    return "\n".join(lines)


def github_line(item: Item) -> str:
    d = item.diagnostic
    properties = []
    if item.file != STDIN_NAME:
        properties.append(("file", item.file.replace("\\", "/")))
        if d.span is not None and d.span.line > 0:
            properties += [("line", str(d.span.line)), ("col", str(max(d.span.column, 1)))]
            if d.span.end_line > d.span.line:
                properties.append(("endLine", str(d.span.end_line)))
            elif d.span.end_column > d.span.column:
                properties.append(("endColumn", str(d.span.end_column)))
    properties.append(("title", f"{d.code} {item.title}" if item.title else d.code))
    props = ",".join(f"{k}={escape_property(v)}" for k, v in properties)
    return f"::{COMMANDS.get(item.severity, 'notice')} {props}::{escape_data(_message(item))}"


def github(results: list[FileResult], summary: str) -> str:
    """Workflow commands, one per finding, then the summary line (plain text for the log)."""
    lines = [github_line(item) for result in results for item in result.items]
    lines += [f"{r.file}: {r.verdict}" for r in results if r.verdict is not None]
    lines.append(summary)
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ JUnit XML

#: Characters XML 1.0 cannot hold at all; a message quoting one (a control character in a
#: scheme) shows it as an escape instead of making the whole file unreadable.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _where(d: Diagnostic) -> str:
    return f" (line {d.span.line}, column {d.span.column})" if d.span is not None and d.span.line > 0 else ""


def junit(results: list[FileResult], command: str) -> str:
    """A JUnit XML document: a suite per file, a case per finding (see the module's docstring)."""
    root = ET.Element("testsuites", name=f"qofrules {command}")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for result in results:
        suite = ET.SubElement(root, "testsuite", name=_xml_text(result.file))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        if result.verdict is not None:
            properties = ET.SubElement(suite, "properties")
            ET.SubElement(properties, "property", name="verdict", value=result.verdict)
        for item in result.items:
            d = item.diagnostic
            case = ET.SubElement(suite, "testcase", classname=_xml_text(result.file),
                                 name=_xml_text(f"{d.code}{_where(d)}: {d.message}"),
                                 file=_xml_text(result.file))
            if d.span is not None and d.span.line > 0:
                case.set("line", str(d.span.line))
            text = _xml_text(d.render())
            counts["tests"] += 1
            if item.severity == ERROR:
                kind = "error" if item.unreadable else "failure"
                counts["errors" if item.unreadable else "failures"] += 1
                element = ET.SubElement(case, kind, message=_xml_text(d.message), type=d.code)
                element.text = text
            elif item.severity == CANNOT_JUDGE:
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=_xml_text("cannot judge: " + d.message))
                ET.SubElement(case, "system-out").text = text
            else:
                ET.SubElement(case, "system-out").text = text
        if not result.items:
            counts["tests"] += 1
            ET.SubElement(suite, "testcase", classname=_xml_text(result.file),
                          name=f"{command}: no findings", file=_xml_text(result.file))
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
