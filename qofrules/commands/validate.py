"""``qofrules validate`` and ``qofrules rules``: a verdict per scheme against the national contract,
and the rules it applies, each with its source."""
from __future__ import annotations

import json
import sys

import click

from .. import api
from ..cli import emit, fail
from ..diagnostics import QofError, did_you_mean, error
from ..rules import all_rules, find_rule
from ..rules.docs import markdown, rule_text, rules_table_text

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_CANNOT_JUDGE = 0, 1, 2, 3


@click.command()
@click.argument("schemes", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True,
              help="json for tools; sarif (SARIF 2.1.0) for code-scanning annotations on pull requests.")
@click.option("--data", "data_path", type=click.Path(),
              help="The practice data the schemes will use, so that rule QV108 can see which years it holds "
                   "(its own contract overrides apply, as in run).")
@click.option("--contract-overrides", "overrides", multiple=True, type=click.Path(dir_okay=False),
              help="A YAML file of figures the contract year lacks (repeatable), so that rules needing them "
                   "can judge. See docs/contracts.md.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file (atomically).")
def validate(schemes: tuple[str, ...], fmt: str, data_path: str | None, overrides: tuple[str, ...],
             output: str | None) -> None:
    """Validate schemes against the national contract: each scheme judged by who made it (a national
    amendment, a local variation the national commissioner agreed, a local body's alternative), a
    verdict per scheme (accepted, accepted with warnings, cannot judge, rejected) and every finding
    with its rule and source.

    Exit 0 when every scheme is accepted (with or without warnings), 1 when any is rejected, 3 when
    none is rejected but some cannot be judged (a fact qofrules lacks: the finding says which), 2
    when a file cannot be read or parsed.
    """
    from ..sarif import to_sarif
    from ..validate import CANNOT_JUDGE_VERDICT, REJECTED, render_text
    try:
        reports = api.validation_reports(list(schemes), data_path, overrides)
    except QofError as exc:
        fail(exc, EXIT_USAGE)
    if fmt == "json":
        text = json.dumps([r.to_plain() for r in reports], indent=2, ensure_ascii=False) + "\n"
    elif fmt == "sarif":
        text = json.dumps(to_sarif(reports), indent=2, ensure_ascii=False) + "\n"
    else:
        text = render_text(reports)
    try:
        emit(text, output)
    except QofError as exc:
        fail(exc, EXIT_USAGE)
    verdicts = {r.verdict for r in reports}
    if any(r.syntax_error for r in reports):
        sys.exit(EXIT_USAGE)
    if REJECTED in verdicts:
        sys.exit(EXIT_REJECTED)
    sys.exit(EXIT_CANNOT_JUDGE if CANNOT_JUDGE_VERDICT in verdicts else EXIT_OK)


@click.command()
@click.argument("code", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="markdown writes the whole of docs/rules.md.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file (atomically).")
def rules(code: str | None, fmt: str, output: str | None) -> None:
    """List the validation rules (code, severity, title), or explain one: what it checks, why, its
    source, and a scheme that breaks it and one that passes."""
    chosen = list(all_rules())
    if code is not None:
        rule = find_rule(code)
        if rule is None:
            names = [r.code for r in all_rules()] + [r.name for r in all_rules()]
            fail(QofError([error("QV000", f"no validation rule '{code}'",
                                 hint=did_you_mean(code, names) or "'qofrules rules' lists them")]), EXIT_USAGE)
        chosen = [rule]
    if fmt == "json":
        text = json.dumps([r.to_plain() for r in chosen], indent=2, ensure_ascii=False) + "\n"
    elif fmt == "markdown":
        text = markdown()
    elif code is None:
        text = rules_table_text()
    else:
        text = rule_text(chosen[0])
    try:
        emit(text, output)
    except QofError as exc:
        fail(exc, EXIT_USAGE)


COMMANDS = [validate, rules]
