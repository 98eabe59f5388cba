"""Results where analysts use them: CSV, Excel and Parquet for ``run``, ``report``, ``diff --impact``
and ``reconcile`` (docs/data-formats.md, "Results as CSV, Excel and Parquet").

``--format`` chooses, or the output file's suffix (``-o results.xlsx``); each view is a
:class:`~.tables.Table` with the practice's geography (PCN, sub-ICB location, ICB, region, by name
and, where the data gives them, by code), and ``--indicators`` adds one row per practice ×
indicator. Every output carries the notices the text output gives.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import click

from ..diagnostics import QofError, error
from ..render import run_notices
from .tables import BOOLEAN, DECIMAL, HUNDREDTHS, INTEGER, TEXT, Column, Table, Tables
from .writers import csv_text, parquet_bytes, xlsx_bytes

TABLE_FORMATS = ("csv", "xlsx", "parquet")
BINARY_FORMATS = ("xlsx", "parquet")
SUFFIXES = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".pq": "parquet", ".json": "json",
            ".html": "html", ".htm": "html", ".md": "markdown"}
#: The area columns results show, in order, and the words their columns are named by.
GEOGRAPHY = (("PCN", "pcn"), ("CCG", "ccg"), ("ICB", "icb"), ("REGION", "region"), ("LMC", "lmc"),
             ("AREA_TEAM", "area_team"))
#: Attributes that give an area's code, from NHS Digital's mappings (first found wins).
GEOGRAPHY_CODES = {"PCN": ("pcn_ods_code",), "CCG": ("sub_icb_ods_code", "ccg_ods_code", "ccg_code"),
                   "ICB": ("icb_ods_code", "stp_ods_code"), "REGION": ("region_ods_code", "region_code")}


def choose_format(fmt: str | None, output: str | None, default: str = "text",
                  allowed: tuple[str, ...] | None = None) -> str:
    """The format: ``--format`` if given, else the output's suffix, else ``default``. A suffix that
    names another format than ``--format`` is a usage error, and so is a binary format with no file."""
    by_suffix = SUFFIXES.get(Path(output).suffix.lower()) if output else None
    if allowed is not None and by_suffix not in allowed:
        by_suffix = None
    if fmt is not None and by_suffix is not None and by_suffix != fmt and fmt != "text":
        raise click.UsageError(f"-o {output} names a {by_suffix} file, but --format {fmt} was given; "
                               "give one of them, or both alike")
    chosen = fmt or by_suffix or default
    if chosen in BINARY_FORMATS and not output:
        raise click.UsageError(f"{'an Excel' if chosen == 'xlsx' else 'a Parquet'} file is binary: name it with "
                               f"-o results.{chosen}")
    return chosen


def render(tables: Tables, fmt: str) -> str | bytes:
    if fmt == "csv":
        return csv_text(tables)
    if fmt == "xlsx":
        return xlsx_bytes(tables)
    if fmt == "parquet":
        return parquet_bytes(tables)
    raise ValueError(fmt)


def write_tables(tables: Tables, fmt: str, output: str | None) -> None:
    """Write ``tables`` as ``fmt`` to ``output`` (atomically), or CSV to standard output."""
    from ..cli import emit
    from ..writing import write_atomic
    content = render(tables, fmt)
    if isinstance(content, str):
        emit(content, output)
        return
    write_atomic(output, content)
    click.echo(f"wrote {output}", err=True)


# ------------------------------------------------------------------ geography

def geography_columns(data) -> list[tuple[str, str, str | None]]:
    """(area column, output column, attribute holding its code or None) for the data's areas."""
    out = []
    attributes = set(getattr(data, "attribute_names", ()))
    for column, name in GEOGRAPHY:
        if column in data.area_columns:
            code = next((a for a in GEOGRAPHY_CODES.get(column, ()) if a in attributes), None)
            out.append((column, name, code))
    return out


def _geography_header(columns) -> list[Column]:
    out = []
    for _, name, code in columns:
        out.append(Column(name, TEXT, 30))
        if code:
            out.append(Column(f"{name}_code", TEXT, 10))
    return out


def _geography_values(practice, columns) -> list:
    out = []
    for column, _, code in columns:
        out.append(practice.areas.get(column) or None)
        if code:
            out.append(practice.attributes.get(code) or None)
    return out


# ------------------------------------------------------------------ run

PRACTICE_COLUMNS = [Column("practice", TEXT, 9), Column("name", TEXT, 36), Column("list_size", INTEGER, 9),
                    Column("eligible", BOOLEAN, 8), Column("reason", TEXT, 40),
                    Column("scheme_points", HUNDREDTHS), Column("scheme_payment", HUNDREDTHS),
                    Column("national_points", HUNDREDTHS), Column("national_payment", HUNDREDTHS),
                    Column("difference", HUNDREDTHS)]
INDICATOR_COLUMNS = [Column("indicator", TEXT, 10), Column("group", TEXT, 7), Column("rule", TEXT, 30),
                     Column("basis", TEXT, 24), Column("on_request", BOOLEAN, 9), Column("apdf", DECIMAL, 12),
                     Column("scheme_points", HUNDREDTHS), Column("scheme_payment", HUNDREDTHS),
                     Column("national_points", HUNDREDTHS), Column("national_payment", HUNDREDTHS),
                     Column("missing", TEXT, 30)]


def run_tables(result, data, indicators: bool = False) -> Tables:
    """A run's results: ``practices`` (one row per practice, geography at the end), ``totals``, and
    with ``indicators`` an ``indicators`` view of one row per practice × indicator (the main view
    then, so CSV and Parquet write it)."""
    geography = geography_columns(data)
    by_code = {p.code: p for p in data.practices}
    practices = Table("practices", PRACTICE_COLUMNS + _geography_header(geography))
    for p in result.practices:
        practices.rows.append([p.code, p.name, p.list_size, p.eligible, p.reason, p.scheme_points, p.scheme_payment,
                               p.national_points, p.national_payment, p.difference]
                              + _geography_values(by_code[p.code], geography))
    totals = result.totals
    total_table = Table("totals", [Column("practices", INTEGER), Column("eligible", INTEGER),
                                   Column("scheme_points", HUNDREDTHS, 16), Column("scheme_payment", HUNDREDTHS, 16),
                                   Column("national_points", HUNDREDTHS, 16),
                                   Column("national_payment", HUNDREDTHS, 16), Column("difference", HUNDREDTHS, 16),
                                   Column("scheme_payment_unknown", INTEGER), Column("national_payment_unknown", INTEGER)],
                        [[totals["practices"], totals["eligible"], totals["scheme_points"], totals["scheme_payment"],
                          totals["national_points"], totals["national_payment"], totals["difference"],
                          totals["scheme_payment_unknown"], totals["national_payment_unknown"]]])
    tables = [practices]
    main = "practices"
    if indicators:
        view = Table("indicators", [Column("practice", TEXT, 9), Column("name", TEXT, 36)] + INDICATOR_COLUMNS
                     + _geography_header(geography))
        for p in result.practices:
            place = _geography_values(by_code[p.code], geography)
            for item in p.indicators:
                missing = "; ".join(item.scheme.outcome.missing + item.national.outcome.missing) or None
                view.rows.append([p.code, p.name, item.code, item.group, item.rule, item.basis, item.on_request,
                                  item.apdf if item.apdf_applies else None, item.scheme.points, item.scheme.payment,
                                  item.national.points, item.national.payment, missing] + place)
        tables.append(view)
        main = "indicators"
    tables.append(total_table)
    return Tables(notices=run_notices(result), tables=tables, main=main)


# ------------------------------------------------------------------ reconcile

def reconcile_tables(found) -> Tables:
    columns = [Column("practice", TEXT, 9), Column("name", TEXT, 36), Column("indicator", TEXT, 10),
               Column("published", HUNDREDTHS), Column("qofrules", HUNDREDTHS), Column("difference", HUNDREDTHS),
               Column("status", TEXT, 12), Column("why", TEXT, 60)]
    cells = Table("differences", columns)
    for d in found.differ:
        cells.rows.append([d.practice, d.name, d.indicator, d.published, d.computed, d.amount, "differs", d.why or None])
    for d in found.not_computed:
        cells.rows.append([d.practice, d.name, d.indicator, d.published, None, None, "not computed", d.why or None])
    summary = Table("by indicator", [Column("indicator", TEXT, 10), Column("agree", INTEGER), Column("differ", INTEGER),
                                     Column("not_computed", INTEGER), Column("largest_difference", HUNDREDTHS)],
                    [[code, c["agree"], c["differ"], c["not_computed"], Decimal(c["largest_difference"])]
                     for code, c in found.by_indicator.items()])
    return Tables(notices=found.notices(), tables=[cells, summary], main="differences")


# ------------------------------------------------------------------ report

def report_tables(plain: dict, result, data, indicators: bool = False) -> Tables:
    """A report's views: totals, each area level's totals, indicator groups, and the practices
    (with every practice's geography); ``indicators`` adds the practice × indicator view."""
    run = run_tables(result, data, indicators)
    summary = run.table("totals")
    summary.name = "summary"
    views = [summary]
    for column in plain["area_columns"]:
        rows = plain["areas"][column]
        views.append(Table(f"by {column}", [Column("area", TEXT, 40), Column("practices", INTEGER),
                                            Column("eligible", INTEGER), Column("national_payment", HUNDREDTHS, 16),
                                            Column("scheme_payment", HUNDREDTHS, 16), Column("difference", HUNDREDTHS, 16),
                                            Column("unknown", INTEGER)],
                           [[r["area"], r["practices"], r["eligible"], _d(r["national_payment"]),
                             _d(r["scheme_payment"]), _d(r["difference"]), r["unknown"]] for r in rows]))
    views.append(Table("by group", [Column("group", TEXT, 8), Column("description", TEXT, 40),
                                    Column("national_payment", HUNDREDTHS, 16), Column("scheme_payment", HUNDREDTHS, 16),
                                    Column("difference", HUNDREDTHS, 16)],
                       [[g["group"], g["description"], _d(g["national_payment"]), _d(g["scheme_payment"]),
                         _d(g["difference"])] for g in plain["groups"]]))
    views.append(run.table("practices"))
    if indicators:
        views.append(run.table("indicators"))
    verdict = plain["validation"]
    notices = list(run.notices)
    if verdict.get("available"):
        notices.append(f"Validation: {verdict.get('summary') or ('passed' if verdict.get('ok') else 'see findings')}")
    return Tables(notices=notices, tables=views, main=run.main)


def _d(value) -> Decimal | None:
    return None if value is None else Decimal(value)


# ------------------------------------------------------------------ diff --impact

def impact_tables(plain: dict, results: dict, data) -> Tables:
    """``diff --impact``: per practice the payment under each version, the difference and its
    causes, with the practice's geography; the notices of both runs."""
    impact = plain["impact"]
    geography = geography_columns(data)
    by_code = {p.code: p for p in data.practices}
    columns = [Column("practice", TEXT, 9), Column("name", TEXT, 36), Column("old_eligible", BOOLEAN),
               Column("new_eligible", BOOLEAN), Column("old_payment", HUNDREDTHS, 16),
               Column("new_payment", HUNDREDTHS, 16), Column("difference", HUNDREDTHS, 16), Column("caused_by", TEXT, 50)]
    table = Table("impact", columns + _geography_header(geography))
    for p in impact["practices"]:
        causes = "; ".join(f"{c['cause']} ({c['amount']})" for c in p["caused_by"]) or None
        table.rows.append([p["practice"], p["name"], p["eligible"]["old"], p["eligible"]["new"], _d(p["old_payment"]),
                           _d(p["new_payment"]), _d(p["difference"]), causes]
                          + _geography_values(by_code[p["practice"]], geography))
    changes = Table("changes", [Column("group", TEXT, 14), Column("change", TEXT, 100)],
                    [[c["group"], c["message"]] for c in plain["changes"]])
    notices = [f"Diff {plain['old']} → {plain['new']}"]
    for side in ("old", "new"):
        for line in run_notices(results[side]):
            text = f"{side}: {line}"
            if text.split(": ", 1)[1] not in [n.split(": ", 1)[-1] for n in notices]:
                notices.append(text)
    return Tables(notices=notices, tables=[table, changes], main="impact")


# ------------------------------------------------------------------ the commands' entry points

def report_tables_for(scheme: str, data_path: str, overrides, indicators: bool) -> Tables:
    """``report --format csv|xlsx|parquet``: the report's views from one evaluation (the same
    :class:`~qofrules.results.RunResult` its HTML shows)."""
    from .. import api
    from ..report import build_report
    tree, dataset, result = api.report_inputs(scheme, data_path, overrides)
    return report_tables(build_report(tree, dataset, scheme, result, data_path=data_path, overrides=overrides,
                                      validate=api.validate),
                         result, dataset, indicators)


def impact_tables_for(old: str, new: str, data_path: str, overrides) -> tuple[Tables, bool]:
    """``diff OLD NEW --impact DATA --format csv|xlsx|parquet``: the impact per practice, and
    whether the versions differ in meaning. A version that cannot be evaluated is an error here
    (a table of impact without it would be empty)."""
    from .. import api
    from ..differ import impact
    found = api.diff_result(old, new)
    plain = found.to_plain()
    results, data = {}, None
    for side, path in (("old", old), ("new", new)):
        results[side], data = api.run_result_and_data(path, data_path, overrides)
    plain["impact"] = impact(found, results["old"], results["new"])
    return impact_tables(plain, results, data), bool(plain["changed"])
