"""The ``qofrules`` command: thin click commands over :mod:`qofrules.api`.

Exit codes: 0 ok; 1 findings (check errors, a refusal to compute, bad data); 2 a syntax error,
an unreadable file or bad usage. A traceback reaching a user is a bug: unexpected exceptions are
reported as internal errors (set QOFRULES_DEBUG=1 to see the traceback).
"""
from __future__ import annotations

import json
import os
import re
import signal
import sys

import click

from . import __version__, api
from .commands import LazyGroup
from .commands.options import DATA_HELP, OVERRIDES_HELP, overrides_for, setting_format, settings, settings_options
from .commands.options import data_path as resolved_data
from .diagnostics import QofError, error
from .render import contract_text, contracts_text, run_text
from .source import Source
from .writing import write_atomic

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
FORMATS = click.Choice(["text", "json", "csv", "xlsx", "parquet"])


def _emit(text: str, output: str | None) -> None:
    if output == "":
        raise click.UsageError("-o/--output needs a file name (leave the option out to print to standard output)")
    if output is not None:
        write_atomic(output, text)
        click.echo(f"wrote {output}", err=True)
    elif isinstance(text, str):
        click.echo(text, nl=False)
    else:  # pieces of a streamed text
        for piece in text:
            click.echo(piece, nl=False)


def _fail(exc: QofError, code: int = EXIT_FINDINGS) -> None:
    for diagnostic in exc.diagnostics:
        click.echo(diagnostic.render(), err=True)
    sys.exit(code)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qofrules")
def cli() -> None:
    """qofrules: write local variations of QOF as schemes, check them, and see what practices are paid."""


@cli.command()
@click.argument("scheme", type=click.Path(dir_okay=False))
@click.option("--data", "data_path", type=click.Path(), help=DATA_HELP)
@click.option("--contract-overrides", "overrides", multiple=True, type=click.Path(dir_okay=False),
              help=OVERRIDES_HELP)
@click.option("--format", "fmt", type=FORMATS, default=None,
              help="Chosen by -o's suffix (.json, .csv, .xlsx, .parquet), else the format setting where it is text, "
                   "json or csv, else text. docs/data-formats.md.")
@click.option("--indicators", is_flag=True, help="csv, xlsx, parquet: also one row per practice × indicator.")
@click.option("--reasons", is_flag=True, help="Text format: show why each practice is or is not eligible.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file (atomically).")
@click.option("--exact", is_flag=True,
              help="Read the data set with the exact reader, practice by practice (slower; the same engine "
                   "and pennies as the default columnar reader: docs/evaluation.md).")
@settings_options
def run(scheme: str, data_path: str | None, overrides: tuple[str, ...], fmt: str | None, indicators: bool,
        reasons: bool, output: str | None, exact: bool, config_file: str | None, isolated: bool) -> None:
    """Evaluate SCHEME over practice data: per practice, eligibility, points and pounds under the
    scheme and under the national rules alone, the difference, and totals.

    --data, --contract-overrides and --format may come from the repository's settings
    (qofrules.toml or pyproject.toml [tool.qofrules]: docs/repository.md); a flag wins."""
    from . import outputs
    shared = settings((scheme,), None, config_file, isolated, _fail)
    data_path = resolved_data(data_path, shared)
    fmt = outputs.choose_format(fmt, output, allowed=("json", "csv", "xlsx", "parquet"),
                                default=setting_format(shared, ("text", "json", "csv")) or "text")
    overrides = overrides_for(overrides, shared, scheme)
    if indicators and fmt not in outputs.TABLE_FORMATS:
        raise click.UsageError("--indicators adds a view to a table: give --format csv, xlsx or parquet (or -o results.xlsx)")
    try:
        result, dataset = api.run_result_and_data(scheme, data_path, overrides, exact=exact)
    except QofError as exc:
        _fail(exc, exc.exit_code)
    if fmt in outputs.TABLE_FORMATS:
        try:
            outputs.write_tables(outputs.run_tables(result, dataset, indicators), fmt, output)
        except QofError as exc:
            _fail(exc, EXIT_USAGE)
        return
    if fmt == "json":
        text = result.json_pieces(indicators=True)  # streamed: never the whole text in memory
    else:
        text = run_text(result, reasons=reasons)
    try:
        _emit(text, output)
    except QofError as exc:
        _fail(exc, EXIT_USAGE)


YEAR_SHAPE = re.compile(r"^[0-9]{2,4}/?[0-9]{0,4}$")


def _contracts_selection(words: tuple[str, ...]) -> tuple[str | None, str | None]:
    """COUNTRY, YEAR, COUNTRY YEAR or nothing; a word shaped like a year (digits, maybe a slash) is a year."""
    if len(words) > 2:
        raise click.UsageError("give at most a country and a year, e.g. 'qofrules contracts england 2016/17'")
    if len(words) == 2:
        return words[0], words[1]
    if len(words) == 1:
        return (None, words[0]) if YEAR_SHAPE.match(words[0]) else (words[0], None)
    return None, None


@cli.command()
@click.argument("selection", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def contracts(selection: tuple[str, ...], fmt: str) -> None:
    """The national contract years qofrules ships, by country, and how complete their data is.

    \b
    qofrules contracts                   every country and year
    qofrules contracts wales             one country's years
    qofrules contracts 2016/17           every country's 2016/17
    qofrules contracts england 2016/17   one year's figures, each with value, status and source
    qofrules contracts infer DATA        figures recovered from practice data (qofrules contracts infer -h)

    A country or year that does not ship is an error (exit 2) with a suggestion.
    """
    country, year = _contracts_selection(selection)
    try:
        if country is not None and year is not None:
            detail = api.contract_figures(country, year)
        else:
            summaries = api.contracts(country, year)
    except QofError as exc:  # said as the command's own error: there is no file to point at
        where = Source("qofrules contracts " + " ".join(selection), "")
        _fail(QofError([error(d.code, d.message, source=where, hint=d.hint) for d in exc.diagnostics]), EXIT_USAGE)
    if country is not None and year is not None:
        click.echo(json.dumps(detail, indent=2) if fmt == "json" else contract_text(detail), nl=fmt == "json")
    elif fmt == "json":
        click.echo(json.dumps(summaries, indent=2))
    else:
        click.echo(contracts_text(summaries), nl=False)


def fail(exc: QofError, code: int | None = None) -> None:
    """Show a user-caused failure's diagnostics on standard error and exit (for command modules);
    by default with the exit code the diagnostics call for (QofError.exit_code)."""
    _fail(exc, exc.exit_code if code is None else code)


def emit(text: str, output: str | None) -> None:
    """Write ``text`` to standard output, or atomically to ``output`` (for command modules)."""
    _emit(text, output)


def _terminated(signum, frame) -> None:
    """SIGTERM ends qofrules as an exit, not abruptly, so that a write in progress removes its
    temporary file (qofrules.writing)."""
    sys.exit(128 + signum)


def main() -> None:
    signal.signal(signal.SIGTERM, _terminated)
    try:
        cli(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except RecursionError:
        click.echo("qofrules: the input nests too deeply to process", err=True)
        sys.exit(EXIT_USAGE)
    except Exception as exc:  # a bug: say so plainly instead of a traceback
        if os.environ.get("QOFRULES_DEBUG"):
            raise
        click.echo(f"qofrules: internal error ({type(exc).__name__}: {exc}). This is a bug in qofrules; "
                   "please report it with the command you ran. Set QOFRULES_DEBUG=1 for details.", err=True)
        sys.exit(70)


if __name__ == "__main__":
    main()
