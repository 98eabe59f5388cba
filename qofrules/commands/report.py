"""``qofrules report``: a self-contained HTML report (or a markdown summary) of a scheme over a data set."""
from __future__ import annotations

import click

from .. import api
from ..cli import emit, fail
from ..diagnostics import QofError



@click.command()
@click.argument("scheme", type=click.Path(dir_okay=False))
@click.option("--data", "data_path", required=True, type=click.Path(),
              help="A data set: a directory with dataset.yaml, or a compact .yaml/.json file.")
@click.option("--contract-overrides", "overrides", multiple=True, type=click.Path(dir_okay=False),
              help="A YAML file of figures the contract year lacks (repeatable). See docs/contracts.md.")
@click.option("--format", "fmt", type=click.Choice(["html", "markdown", "csv", "xlsx", "parquet"]), default=None,
              help="Default html, or chosen by -o's suffix (.html, .md, .csv, .xlsx, .parquet). docs/data-formats.md.")
@click.option("--indicators", is_flag=True, help="csv, xlsx, parquet: also one row per practice × indicator.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write to this file (atomically). Without it, HTML must be asked for with -o.")
def report(scheme: str, data_path: str, overrides: tuple[str, ...], fmt: str | None, indicators: bool,
           output: str | None) -> None:
    """Report SCHEME over practice data for a commissioner: what the scheme is, the validator's
    verdict, totals nationally and under the scheme (overall and per area), charts of who gains
    and by which indicator group, and a sortable table of every practice."""
    from .. import outputs
    fmt = outputs.choose_format(fmt, output, default="html",
                                allowed=("html", "markdown", "csv", "xlsx", "parquet"))
    if fmt in outputs.TABLE_FORMATS:
        try:
            outputs.write_tables(outputs.report_tables_for(scheme, data_path, overrides, indicators), fmt, output)
        except QofError as exc:
            fail(exc)
        return
    if fmt == "html" and not output:
        click.echo("qofrules report: an HTML report is a file; name it with -o report.html "
                   "(or use --format markdown to print a summary)", err=True)
        raise SystemExit(2)
    try:
        text = api.report(scheme, data_path, overrides, fmt=fmt)
    except QofError as exc:
        fail(exc)
    try:
        emit(text, output)
    except QofError as exc:
        fail(exc, 2)


COMMANDS = [report]
