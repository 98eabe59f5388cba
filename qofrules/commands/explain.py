"""``qofrules explain``: why one practice is paid what it is, from scheme line to pound."""
from __future__ import annotations

import json

import click

from .. import api
from ..cli import emit, fail
from ..diagnostics import QofError
from ..explain import explain_text



@click.command()
@click.argument("scheme", type=click.Path(dir_okay=False))
@click.option("--data", "data_path", required=True, type=click.Path(),
              help="A data set: a directory with dataset.yaml, or a compact .yaml/.json file.")
@click.option("--practice", required=True, help="The practice code to explain (e.g. C82001).")
@click.option("--indicator", help="Explain only this indicator (the totals are still the practice's).")
@click.option("--contract-overrides", "overrides", multiple=True, type=click.Path(dir_okay=False),
              help="A YAML file of figures the contract year lacks (repeatable). See docs/contracts.md.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json is the full trace tree, for tools.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file (atomically).")
def explain(scheme: str, data_path: str, practice: str, indicator: str | None, overrides: tuple[str, ...],
            fmt: str, output: str | None) -> None:
    """Explain one practice's payment under SCHEME: eligibility and why, then for each indicator the
    rule (title and line), the basis and every value it used, the points formula, CPI, APDF, the £
    amount and the national-rules amount beside it; then the totals and the difference."""
    try:
        plain = api.explain(scheme, data_path, practice, indicator, overrides)
    except QofError as exc:
        fail(exc)
    text = json.dumps(plain, indent=2, ensure_ascii=False) + "\n" if fmt == "json" else explain_text(plain)
    try:
        emit(text, output)
    except QofError as exc:
        fail(exc, 2)


COMMANDS = [explain]
