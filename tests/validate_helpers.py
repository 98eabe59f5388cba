"""Helpers for the validator's tests: validate scheme text without writing files."""
from __future__ import annotations

import textwrap

from qofrules import api
from qofrules.source import Source
from qofrules.validate import ValidationReport, validate_report


def validate_text(text: str, *, name: str = "case.qof", data_years=None, authorities=None) -> ValidationReport:
    source = Source(name, textwrap.dedent(text).lstrip("\n"))
    return validate_report(api.check_source(source), data_years=data_years, authorities=authorities)


def codes(report: ValidationReport, severity: str | None = None) -> list[str]:
    return [f.diagnostic.code for f in report.findings if severity is None or f.severity == severity]


def messages(report: ValidationReport, code: str) -> list[str]:
    return [f.diagnostic.message for f in report.findings if f.diagnostic.code == code]


#: A scheme that passes every rule: NHS England approved, before it started, opt-in, retiring points.
CLEAN = '''
scheme clean "Retiring points paid in full"
  contract: england 2013/14
  approved: nhs-england area-team "Leicestershire and Lincolnshire" on 2014-01-20
  consulted: lmc "Lincolnshire"
  runs: 2014-02-01 to 2014-03-31
  eligible when: practice opted in
{extra}
  rule "Retiring points paid in full":
    applies to: indicators retiring 2014-04-01
    reporting: not required
    pay: full points

  rule "Everything else as usual":
    applies to: all other indicators
    pay: achievement
'''


def clean(extra: str = "", **replacements) -> str:
    text = CLEAN.replace("{extra}", extra)
    for old, new in replacements.items():
        text = text.replace(old.replace("_", " "), new)
    return text
