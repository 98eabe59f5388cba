"""``qofrules new``: start a scheme from a commented template (qofrules/templates/new-scheme.qof).

The template checks clean and is already in canonical form (``fmt`` leaves it as it is): a
newcomer starts from a file that works and edits it, reading what each line is for. Every
scheme written is proved so first (checked, and formatted to itself); otherwise nothing is
written. ``validate`` still asks for what only the author knows (who approved it, when it runs):
the template shows those lines commented out, with the form to fill in.
"""
from __future__ import annotations

import importlib.resources
import re
import sys
from pathlib import Path
from string import Template

import click

from .. import api
from .. import contracts as contract_data
from ..cli import emit, fail
from ..diagnostics import QofError, error
from ..source import Source

TEMPLATE = "new-scheme.qof"
SCHEME_ID = re.compile(r"^(?!(indicators?|groups?|domains?|and|or|except|not)$)[A-Za-z][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*$")
DEFAULT_COUNTRY = "england"


def default_contract() -> str:
    """The latest year of England whose indicator list is complete (a rule for 'all indicators'
    then pays every indicator the year has)."""
    complete = [s for s in api.contracts(DEFAULT_COUNTRY) if s["complete"]]
    chosen = complete[-1] if complete else api.contracts(DEFAULT_COUNTRY)[-1]
    return f"{chosen['country']} {chosen['year']}"


def id_from(path: str) -> str:
    """A scheme id from a file name: 'Leeds 2025.qof' → 'leeds-2025'; 'my-scheme' if none can be made."""
    words = re.findall(r"[a-z0-9]+", Path(path).stem.lower())
    candidate = "-".join(words)
    return candidate if SCHEME_ID.match(candidate) else "my-scheme"


def render(scheme_id: str, title: str, contract: str) -> str:
    start = int(contract.split()[-1][:4])
    text = importlib.resources.files("qofrules").joinpath("templates", TEMPLATE).read_text(encoding="utf-8")
    return Template(text).substitute(id=scheme_id, title=title, contract=contract, start=f"{start}-04-01",
                                     end=f"{start + 1}-03-31", approved=f"{start}-03-01", consulted=f"{start}-02-01")


def _contract(words: str) -> str:
    parts = words.split()
    if len(parts) != 2:
        raise QofError([error("QR526", f"'{words}' is not a contract year", source=Source("qofrules new --contract"),
                              hint="give a country and a year, e.g. --contract 'england 2023/24'")])
    try:
        contract_data.load(*parts)  # QR210 / QR211 with the nearest years
    except QofError as exc:  # said as the option's error: there is no file to point at
        where = Source(f"qofrules new --contract '{words}'")
        raise QofError([error(d.code, d.message, source=where, hint=d.hint) for d in exc.diagnostics]) from None
    return " ".join(parts)


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--id", "scheme_id", help="The scheme's id (default: from the file name).")
@click.option("--title", default="Title of the scheme", show_default=True, help="The scheme's title.")
@click.option("--contract", "contract", metavar="'COUNTRY YEAR'",
              help="The contract year the scheme varies (default: England's latest complete year).")
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
def new(path: str, scheme_id: str | None, title: str, contract: str | None, force: bool) -> None:
    """Write a commented template for a new scheme to PATH (- for standard output). It checks
    clean and is in canonical form; edit it, then run qofrules check and qofrules validate."""
    where = Source("qofrules new")
    scheme_id = scheme_id if scheme_id is not None else id_from(path)
    try:
        if not SCHEME_ID.match(scheme_id):
            raise QofError([error("QR526", f"'{scheme_id}' is not a scheme id", source=where,
                                  hint="letters, digits, '_' and '-', starting with a letter, e.g. leeds-2025")])
        if '"' in title or "\\" in title or "\n" in title or "\r" in title or not title.strip():
            raise QofError([error("QR526", "the title must be one line of text without \" or \\", source=where)])
        contract = _contract(contract) if contract is not None else default_contract()
        if path != "-" and Path(path).exists() and not force:
            raise QofError([error("QR525", f"{path} exists already; nothing was written", source=Source(path),
                                  hint="choose another name, or give --force to replace it")])
        text = render(scheme_id, title, contract)
        report = api.check_source(Source(path, text))
        if not report.ok or api.format_text(text, path) != text:  # a bug in the template, not the user's
            raise QofError(list(report.errors) or [error("QR526", "the template would not be in canonical form",
                                                         source=where)])
    except QofError as exc:
        fail(exc, 2)
    for warning in report.diagnostics:  # e.g. a year whose indicator list qofrules lacks: say so now
        click.echo(warning.render(), err=True)
    if path == "-":
        click.echo(text, nl=False)
        sys.exit(0)
    emit(text, path)


COMMANDS = [new]
