"""Commands for NHS Digital's data as published: ``qofrules data describe``, ``qofrules contracts
infer`` and ``qofrules reconcile`` (docs/data-formats.md, docs/contracts.md, docs/evaluation.md).

``contracts`` itself is defined in :mod:`qofrules.cli`; here it becomes a group that keeps that
command as it is for every word but ``infer`` (``qofrules contracts england 2016/17`` still shows
a year), so ``qofrules contracts infer DATA`` reads as the issue asks without a second command name.
"""
from __future__ import annotations

import json
import sys

import click

from .. import cli as cli_module
from ..cli import emit, fail
from ..diagnostics import QofError, error
from ..source import Source


# ------------------------------------------------------------------ qofrules data describe

@click.group(name="data")
def data_group() -> None:
    """Look at a practice data set: NHS Digital's publication (zip or folder) or a qofrules data set."""


@data_group.command(name="describe")
@click.argument("data_path", metavar="DATA", type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file (atomically).")
def describe(data_path: str, fmt: str, output: str | None) -> None:
    """What DATA holds: years, practices, indicators, measures, geography levels, and which files
    could not be used and why. DATA is a zip or folder of NHS Digital's QOF publication, a directory
    with a dataset.yaml, or a compact .yaml/.json file."""
    from .. import describe as describing, loading
    try:
        plain = describing.describe(loading.load(data_path))
    except QofError as exc:
        fail(exc)
    text = json.dumps(plain, indent=2) + "\n" if fmt == "json" else describing.text(plain)
    try:
        emit(text, output)
    except QofError as exc:
        fail(exc, 2)


# ------------------------------------------------------------------ qofrules contracts infer

class ContractsGroup(click.Group):
    """``contracts`` as before, with ``infer`` as its one subcommand: any other first word goes
    to the original command (a country, a year, an option)."""

    def __init__(self, fallback: click.Command):
        super().__init__(name=fallback.name, help=fallback.help, params=[])
        self.fallback = fallback

    def make_context(self, info_name, args, parent=None, **extra):
        if args and args[0] in self.commands:
            return super().make_context(info_name, args, parent=parent, **extra)
        return self.fallback.make_context(info_name, args, parent=parent, **extra)



@click.command(name="infer")
@click.argument("data_path", metavar="DATA", type=click.Path())
@click.option("--year", help="The contract year to infer for (default: the latest year of achievement in DATA).")
@click.option("--country", default="england", show_default=True)
@click.option("--national", is_flag=True,
              help="Take DATA as covering every practice in England where qofrules has no list of the year's "
                   "practices to check it against (on your own authority; the provenance says so).")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True,
              help="yaml: the overrides file (docs/contracts.md); json: every finding.")
@click.option("--output", "-o", type=click.Path(dir_okay=False),
              help="Write the overrides file here (atomically); a summary goes to standard error.")
@click.option("--exact", is_flag=True, help="Read DATA with the exact reader.")
def infer(data_path: str, year: str | None, country: str, national: bool, fmt: str, output: str | None,
          exact: bool) -> None:
    """Recover the figures a contract year lacks from practice data, exactly and with provenance:
    thresholds from published ACHIEVED_POINTS, national prevalence from a data set of every
    practice in England, the zero-denominator rule, unknown indicator kinds. Writes an overrides
    file for --contract-overrides; nothing in it is presented as published."""
    from .. import contracts as contract_data, infer as inferring, loading
    try:
        loaded = loading.load(data_path, exact=exact)
        years = loaded.data.years
        chosen = year or (max(years) if years else None)
        if chosen is None:
            raise QofError([error("QR500", f"{data_path} has no achievement, so there is nothing to infer from",
                                  source=Source(data_path, ""))])
        if chosen not in years:
            raise QofError([error("QR500", f"{data_path} has no {chosen} achievement, so there is nothing to infer "
                                  f"{chosen}'s figures from", source=Source(data_path, ""),
                                  hint=f"its years: {', '.join(years)}")])
        contract = contract_data.load(country, chosen)
        found = inferring.infer(contract, loaded.data, basis=loaded.basis(chosen),
                                list_types=loaded.list_types(chosen), national=national)
    except QofError as exc:
        fail(exc)
    if fmt == "json":
        text = json.dumps(found.to_plain(), indent=2) + "\n"
    else:
        text = inferring.overrides_text(found, data_path)
    try:
        emit(text, output)
    except QofError as exc:
        fail(exc, 2)
    if output is not None or fmt == "json":
        recovered = len(found.recovered)
        click.echo(f"{contract.key}: {recovered} figure(s) derived from {loaded.basis(chosen)}; "
                   f"{len(found.findings) - recovered} not recoverable (listed in the file)", err=True)


# ------------------------------------------------------------------ qofrules reconcile

@click.command()
@click.argument("target", metavar="SCHEME|YEAR")
@click.option("--data", "data_path", required=True, type=click.Path(),
              help="Practice data with ACHIEVED_POINTS: NHS Digital's publication, or a qofrules data set.")
@click.option("--contract-overrides", "overrides", multiple=True, type=click.Path(dir_okay=False),
              help="A YAML file of figures the contract year lacks (repeatable), e.g. from 'contracts infer'.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv", "xlsx", "parquet"]), default=None,
              help="Default text; or chosen by -o's suffix (.json, .csv, .xlsx, .parquet). Tables list every difference.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file (atomically).")
@click.option("--exact", is_flag=True, help="Read DATA with the exact reader (slower; the same engine and points).")
def reconcile(target: str, data_path: str, overrides: tuple[str, ...], fmt: str | None, output: str | None,
              exact: bool) -> None:
    """Compare qofrules' national-rules points for every practice × indicator with the data's own
    ACHIEVED_POINTS, and say where they differ and by how much. TARGET is a scheme file (its
    contract year) or a year (2023/24, or 'wales 2016/17'). Exit 0 when every published point
    agrees, 1 when any differs or cannot be computed."""
    from .. import loading, reconcile as reconciling
    from ..outputs import choose_format, reconcile_tables, write_tables
    fmt = choose_format(fmt, output)
    try:
        loaded = loading.load(data_path, exact=exact)
        found = reconciling.reconcile(target, loaded.data, overrides)
    except QofError as exc:
        fail(exc)
    try:
        if fmt in ("csv", "xlsx", "parquet"):
            write_tables(reconcile_tables(found), fmt, output)
        else:
            emit(json.dumps(found.to_plain(), indent=2) + "\n" if fmt == "json" else reconciling.text(found), output)
    except QofError as exc:
        fail(exc, 2)
    sys.exit(0 if not found.differ and not found.not_computed else 1)


contracts_group = ContractsGroup(cli_module.contracts)
contracts_group.add_command(infer)

COMMANDS = [data_group, contracts_group, reconcile]
