"""``qofrules check``: parse and check schemes; every problem, located, with hints."""
from __future__ import annotations

import json
import sys

import click

from .. import api
from ..cli import emit, fail
from ..config import choose
from ..diagnostics import QofError
from .options import REPORT_FORMATS, scheme_inputs, setting_format, settings, settings_options, stdin_filename

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def summary(reports) -> str:
    errors = sum(len(r.errors) for r in reports)
    warnings = sum(len(r.diagnostics) - len(r.errors) for r in reports)
    clean = sum(1 for r in reports if r.ok)
    return f"{len(reports)} file(s) checked: {clean} clean, {errors} error(s), {warnings} warning(s)"


def render(reports, fmt: str) -> str:
    if fmt == "json":
        return json.dumps([r.to_plain() for r in reports], indent=2) + "\n"
    if fmt == "sarif":
        from ..sarif import check_sarif
        return json.dumps(check_sarif(reports), indent=2, ensure_ascii=False) + "\n"
    if fmt in ("github", "junit"):
        from ..annotations import from_check, github, junit
        results = from_check(reports)
        return github(results, summary(reports)) if fmt == "github" else junit(results, "check")
    lines = [d.render() for r in reports for d in r.diagnostics]
    return "\n".join(lines + [summary(reports)]) + "\n"


@click.command()
@click.argument("schemes", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default=None,
              help="text (the default), json, sarif (SARIF 2.1.0), github (workflow annotations) or junit "
                   "(JUnit XML).")
@click.option("--contract-overrides", "overrides", multiple=True, type=click.Path(dir_okay=False),
              help="A YAML file of figures the contract year lacks (repeatable); each applies to the schemes "
                   "of its year. See docs/contracts.md.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file (atomically).")
@stdin_filename
@settings_options
def check(schemes: tuple[str, ...], fmt: str | None, overrides: tuple[str, ...], output: str | None,
          stdin_filename: str | None, config_file: str | None, isolated: bool) -> None:
    """Parse and check scheme files; report every problem found. SCHEMES are .qof files,
    directories of them, or - for standard input.

    Exit 0 when clean, 1 when there are findings, 2 on a syntax error or an unreadable file.
    """
    shared = settings(schemes, stdin_filename, config_file, isolated, fail)
    items = scheme_inputs(schemes, stdin_filename, shared.exclude, fail)
    try:
        by_year = api.load_overrides_by_year(choose(overrides, shared.contract_overrides, ()))
    except QofError as exc:
        fail(exc)
    reports = [api.check_file(item, by_year) for item in items]
    try:
        emit(render(reports, choose(fmt, setting_format(shared, REPORT_FORMATS), "text")), output)
    except QofError as exc:
        fail(exc, EXIT_USAGE)
    if any(r.syntax_error for r in reports):
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_OK if all(r.ok for r in reports) else EXIT_FINDINGS)


COMMANDS = [check]
