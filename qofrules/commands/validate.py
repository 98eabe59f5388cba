"""``qofrules validate`` and ``qofrules rules``: a verdict per scheme against the national contract,
and the rules it applies, each with its source."""
from __future__ import annotations

import json
import sys

import click

from .. import api
from ..cli import emit, fail
from ..diagnostics import QofError, did_you_mean, error
from ..config import choose
from ..source import Source
from ..waivers import HONOUR, POLICIES, apply_policy
from .options import REPORT_FORMATS, scheme_inputs, setting_format, settings, settings_options, stdin_filename

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_CANNOT_JUDGE = 0, 1, 2, 3


@click.command()
@click.argument("schemes", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default=None,
              help="text (the default); json for tools; sarif (SARIF 2.1.0) for code-scanning annotations on "
                   "pull requests; github for workflow annotations; junit for JUnit XML.")
@click.option("--data", "data_path", type=click.Path(),
              help="The practice data the schemes will use: rule QV108 sees which years it holds, and what run "
                   "would refuse of a scheme on it is reported too (QR312, QE001-QE004, QE030: docs/diagnostics.md). "
                   "Its own contract overrides apply, as in run.")
@click.option("--contract-overrides", "overrides", multiple=True, type=click.Path(dir_okay=False),
              help="A YAML file of figures the contract year lacks (repeatable), so that rules needing them "
                   "can judge. See docs/contracts.md.")
@click.option("--waivers", type=click.Choice(POLICIES), default=None,
              help="honour (the default) the waivers schemes record, or ignore them: every finding keeps its "
                   "severity (docs/repository.md).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file (atomically).")
@stdin_filename
@settings_options
def validate(schemes: tuple[str, ...], fmt: str | None, data_path: str | None, overrides: tuple[str, ...],
             waivers: str | None, output: str | None, stdin_filename: str | None, config_file: str | None,
             isolated: bool) -> None:
    """Validate schemes against the national contract: each scheme judged by who made it (a national
    amendment, a local variation the national commissioner agreed, a local body's alternative), a
    verdict per scheme (accepted, accepted with warnings, cannot judge, rejected) and every finding
    with its rule and source. SCHEMES are .qof files, directories of them, or - for standard input.

    Exit 0 when every scheme is accepted (with or without warnings), 1 when any is rejected, 3 when
    none is rejected but some cannot be judged (a fact qofrules lacks: the finding says which), 2
    when a file cannot be read or parsed (a scheme, or the --data set's manifest or practices table).
    """
    from ..validate import CANNOT_JUDGE_VERDICT, REJECTED
    shared = settings(schemes, stdin_filename, config_file, isolated, fail)
    items = scheme_inputs(schemes, stdin_filename, shared.exclude, fail)
    try:
        reports = api.validation_reports(items, choose(data_path, shared.data, None), overrides,
                                         shared_overrides=() if overrides else shared.contract_overrides)
    except QofError as exc:
        fail(exc, EXIT_USAGE)
    policy = choose(waivers, shared.waivers, HONOUR)
    reports = [apply_policy(r, policy) for r in reports]
    try:
        emit(render(reports, choose(fmt, setting_format(shared, REPORT_FORMATS), "text")), output)
    except QofError as exc:
        fail(exc, EXIT_USAGE)
    verdicts = {r.verdict for r in reports}
    if any(r.syntax_error for r in reports):
        sys.exit(EXIT_USAGE)
    if REJECTED in verdicts:
        sys.exit(EXIT_REJECTED)
    sys.exit(EXIT_CANNOT_JUDGE if CANNOT_JUDGE_VERDICT in verdicts else EXIT_OK)


def render(reports, fmt: str) -> str:
    """What validate prints in each format."""
    from ..validate import VERDICTS, render_text
    if fmt == "json":
        return json.dumps([r.to_plain() for r in reports], indent=2, ensure_ascii=False) + "\n"
    if fmt == "sarif":
        from ..sarif import to_sarif
        return json.dumps(to_sarif(reports), indent=2, ensure_ascii=False) + "\n"
    if fmt in ("github", "junit"):
        from ..annotations import from_validate, github, junit
        results = from_validate(reports)
        if fmt == "junit":
            return junit(results, "validate")
        verdicts = [r.verdict for r in reports]
        return github(results, f"{len(reports)} scheme(s) validated: "
                      + ", ".join(f"{verdicts.count(v)} {v}" for v in VERDICTS))
    return render_text(reports)


@click.command()
@click.argument("code", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="markdown writes the whole of docs/rules.md.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file (atomically).")
def rules(code: str | None, fmt: str, output: str | None) -> None:
    """List the validation rules (code, severity, title), or explain one: what it checks, why, its
    source, and a scheme that breaks it and one that passes."""
    from ..rules import all_rules, find_rule  # imported when used: start-up of every command
    from ..rules.docs import markdown, rule_text, rules_table_text
    chosen = list(all_rules())
    if code is not None:
        rule = find_rule(code)
        if rule is None:
            names = [r.code for r in all_rules()] + [r.name for r in all_rules()]
            fail(QofError([error("QV000", f"no validation rule '{code}'", source=Source(f"qofrules rules {code}", ""),
                                 hint=_not_a_rule_hint(code, names))]), EXIT_USAGE)
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


def _not_a_rule_hint(code: str, names: list[str]) -> str:
    """A diagnostic code (QR, QD, QE) is not a rule, but the user asking for one wants its meaning."""
    if code.upper().startswith(("QR", "QD", "QE")):
        return f"{code.upper()} is a diagnostic code, not a validation rule: docs/diagnostics.md says what it means"
    return did_you_mean(code, names) or "'qofrules rules' lists them"

