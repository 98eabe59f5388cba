"""``qofrules new``: start a scheme from a commented template (qofrules.newscheme)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..cli import emit, fail
from ..diagnostics import QofError, error
from ..newscheme import DEFAULT_TITLE, id_from, new_scheme
from ..source import Source


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--id", "scheme_id", help="The scheme's id (default: from the file name).")
@click.option("--title", default=DEFAULT_TITLE, show_default=True, help="The scheme's title.")
@click.option("--contract", "contract", metavar="'COUNTRY YEAR'",
              help="The contract year the scheme varies (default: England's latest complete year).")
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
def new(path: str, scheme_id: str | None, title: str, contract: str | None, force: bool) -> None:
    """Write a commented template for a new scheme to PATH (- for standard output). It checks
    clean and is in canonical form; edit it, then run qofrules check and qofrules validate."""
    try:
        if path != "-" and Path(path).exists() and not force:
            raise QofError([error("QR525", f"{path} exists already; nothing was written", source=Source(path),
                                  hint="choose another name, or give --force to replace it")])
        text, report = new_scheme(scheme_id if scheme_id is not None else id_from(path), title, contract,
                                  name=path)
    except QofError as exc:
        fail(exc, 2)
    for warning in report.diagnostics:  # e.g. a year whose indicator list qofrules lacks: say so now
        click.echo(warning.render(), err=True)
    if path == "-":
        click.echo(text, nl=False)
        sys.exit(0)
    emit(text, path)


COMMANDS = [new]
