"""``qofrules report``: a self-contained HTML report (or a markdown summary) of a scheme over a data set."""
from __future__ import annotations

import click

from .. import api
from ..cli import emit, fail
from ..diagnostics import QofError
from .options import DATA_HELP, OVERRIDES_HELP, data_path as resolved_data, overrides_for, setting_format
from .options import settings, settings_options

#: What report writes, in the order of its help.
REPORT_FORMATS = ("html", "markdown", "csv", "xlsx", "parquet")


@click.command()
@click.argument("scheme", type=click.Path(dir_okay=False))
@click.option("--data", "data_path", type=click.Path(), help=DATA_HELP)
@click.option("--contract-overrides", "overrides", multiple=True, type=click.Path(dir_okay=False),
              help=OVERRIDES_HELP)
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default=None,
              help="Chosen by -o's suffix (.html, .md, .csv, .xlsx, .parquet), else the format setting where it is "
                   "one of these, else html. docs/data-formats.md.")
@click.option("--indicators", is_flag=True, help="csv, xlsx, parquet: also one row per practice × indicator.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write to this file (atomically). Without it, HTML must be asked for with -o.")
@settings_options
def report(scheme: str, data_path: str | None, overrides: tuple[str, ...], fmt: str | None, indicators: bool,
           output: str | None, config_file: str | None, isolated: bool) -> None:
    """Report SCHEME over practice data for a commissioner: what the scheme is, the validator's
    verdict, totals nationally and under the scheme (overall and per area), charts of who gains
    and by which indicator group, and a sortable table of every practice.

    --data, --contract-overrides and --format may come from the repository's settings
    (docs/repository.md); a flag wins."""
    from .. import outputs
    shared = settings((scheme,), None, config_file, isolated, fail)
    data_path = resolved_data(data_path, shared)
    overrides = overrides_for(overrides, shared, scheme)
    fmt = outputs.choose_format(fmt, output, default=setting_format(shared, REPORT_FORMATS) or "html",
                                allowed=REPORT_FORMATS)
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
