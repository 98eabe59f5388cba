"""``qofrules explain``: why one practice is paid what it is, from scheme line to pound."""
from __future__ import annotations

import json

import click

from .. import api
from ..cli import emit, fail
from ..diagnostics import QofError
from .options import DATA_HELP, OVERRIDES_HELP, data_path as resolved_data, overrides_for, setting_format
from .options import settings, settings_options


@click.command()
@click.argument("scheme", type=click.Path(dir_okay=False))
@click.option("--data", "data_path", type=click.Path(), help=DATA_HELP)
@click.option("--practice", required=True, help="The practice code to explain (e.g. C82001).")
@click.option("--indicator", help="Explain only this indicator (the totals are still the practice's).")
@click.option("--contract-overrides", "overrides", multiple=True, type=click.Path(dir_okay=False),
              help=OVERRIDES_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default=None,
              help="text (the default, or the format setting) or json, the full trace tree, for tools.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file (atomically).")
@settings_options
def explain(scheme: str, data_path: str | None, practice: str, indicator: str | None, overrides: tuple[str, ...],
            fmt: str | None, output: str | None, config_file: str | None, isolated: bool) -> None:
    """Explain one practice's payment under SCHEME: eligibility and why, then for each indicator the
    rule (title and line), the basis and every value it used, the points formula, CPI, APDF, the £
    amount and the national-rules amount beside it; then the totals and the difference.

    --data, --contract-overrides and --format may come from the repository's settings
    (docs/repository.md); a flag wins."""
    shared = settings((scheme,), None, config_file, isolated, fail)
    data_path = resolved_data(data_path, shared)
    overrides = overrides_for(overrides, shared, scheme)
    fmt = fmt or setting_format(shared, ("text", "json")) or "text"
    try:
        plain = api.explain(scheme, data_path, practice, indicator, overrides)
    except QofError as exc:
        fail(exc)
    from ..explain import explain_text  # here, not at import: every command's start-up would pay for it
    text = json.dumps(plain, indent=2, ensure_ascii=False) + "\n" if fmt == "json" else explain_text(plain)
    try:
        emit(text, output)
    except QofError as exc:
        fail(exc, 2)


COMMANDS = [explain]
