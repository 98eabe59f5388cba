"""Writing :class:`~.tables.Tables` as CSV (text), Excel (XlsxWriter) and Parquet (pyarrow).

* **CSV**: one table (the main view); the notices first, one per line, each starting ``# ``
  (docs/data-formats.md, "Results as CSV"); money and points in plain digits.
* **Excel**: a ``Notices`` sheet first, then a sheet per view, each with its header row frozen
  and an autofilter; points and pounds are numbers shown to two places; the notices' first line
  is repeated above nothing else, so a reader who opens any sheet is pointed to them by the
  sheet's name.
* **Parquet**: one table (the main view); money and points as ``decimal128(38, 2)`` (exact); the
  notices both in the file's key-value metadata (``qofrules.notices``, a JSON list, which
  ``pyarrow.parquet.read_schema(path).metadata`` gives) and as a ``notices`` column (the notices
  joined by `` | ``, dictionary-encoded, so it costs a few bytes), because the metadata is lost
  as soon as the table passes through most tools, and a column is not.
"""
from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from .tables import BOOLEAN, DECIMAL, HUNDREDTHS, INTEGER, Table, Tables

#: Excel's own limit (rows per sheet, the header included).
EXCEL_MAX_ROWS = 1_048_576
NOTICES_SHEET = "Notices"


def _text(value, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def csv_text(tables: Tables) -> str:
    buffer = io.StringIO()
    for notice in tables.notices:
        buffer.write("# " + " ".join(notice.split()) + "\n")
    table = tables.primary
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.column_names())
    kinds = [c.kind for c in table.columns]
    for row in table.rows:
        writer.writerow([_text(v, k) for v, k in zip(row, kinds)])
    return buffer.getvalue()


def _sheet_name(name: str, taken: set[str]) -> str:
    """A name Excel accepts: at most 31 characters, none of []:*?/\\, not used twice."""
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in name)[:31] or "Sheet"
    candidate, n = cleaned, 2
    while candidate.casefold() in taken:
        suffix = f" ({n})"
        candidate, n = cleaned[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.casefold())
    return candidate


def xlsx_bytes(tables: Tables) -> bytes:
    import xlsxwriter
    from ..diagnostics import QofError, error
    for table in tables.tables:
        if len(table.rows) + 1 > EXCEL_MAX_ROWS:
            raise QofError([error("QR503", f"the {table.name} view has {len(table.rows):,} rows; an Excel sheet holds at "
                                  f"most {EXCEL_MAX_ROWS - 1:,} below its header",
                                  hint="write CSV or Parquet instead (--format csv / parquet)")])
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": False, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    money = book.add_format({"num_format": "#,##0.00"})
    taken: set[str] = set()
    notices = book.add_worksheet(_sheet_name(NOTICES_SHEET, taken))
    notices.set_column(0, 0, 140)
    notices.write_string(0, 0, "Read these notices before any figure in this workbook", bold)
    for r, notice in enumerate(tables.notices, start=1):
        notices.write_string(r, 0, " ".join(notice.split()), wrap)
    for table in tables.tables:
        sheet = book.add_worksheet(_sheet_name(table.name, taken))
        for c, column in enumerate(table.columns):
            sheet.set_column(c, c, column.width)
            sheet.write_string(0, c, column.name, bold)
        sheet.freeze_panes(1, 0)
        if table.columns:
            sheet.autofilter(0, 0, max(len(table.rows), 1), len(table.columns) - 1)
        kinds = [c.kind for c in table.columns]
        for r, row in enumerate(table.rows, start=1):
            for c, (value, kind) in enumerate(zip(row, kinds)):
                if value is None:
                    continue
                if isinstance(value, bool):
                    sheet.write_string(r, c, "yes" if value else "no")
                elif kind == HUNDREDTHS:
                    sheet.write_number(r, c, float(value), money)
                elif kind == INTEGER:
                    sheet.write_number(r, c, int(value))
                elif kind == DECIMAL:
                    sheet.write_string(r, c, format(value, "f") if isinstance(value, Decimal) else str(value))
                else:
                    sheet.write_string(r, c, str(value))
    book.close()
    return buffer.getvalue()


def parquet_bytes(tables: Tables) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq
    table = tables.primary
    types = {HUNDREDTHS: pa.decimal128(38, 2), INTEGER: pa.int64(), BOOLEAN: pa.bool_(), DECIMAL: pa.string()}
    arrays, fields = [], []
    for c, column in enumerate(table.columns):
        values = [row[c] for row in table.rows]
        kind = column.kind
        if kind == DECIMAL:
            values = [None if v is None else format(v, "f") if isinstance(v, Decimal) else str(v) for v in values]
        elif kind == HUNDREDTHS:
            values = [None if v is None else Decimal(v).quantize(Decimal("0.01")) for v in values]
        data_type = types.get(kind, pa.string())
        arrays.append(pa.array(values, type=data_type))
        fields.append(pa.field(column.name, data_type))
    joined = " | ".join(" ".join(n.split()) for n in tables.notices)
    arrays.append(pa.DictionaryArray.from_arrays(pa.array([0] * len(table.rows), type=pa.int32()), pa.array([joined])))
    fields.append(pa.field("notices", pa.dictionary(pa.int32(), pa.string())))
    metadata = {b"qofrules.notices": json.dumps(tables.notices).encode("utf-8"),
                b"qofrules.view": table.name.encode("utf-8")}
    arrow = pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=metadata))
    sink = io.BytesIO()
    pq.write_table(arrow, sink, compression="zstd")
    return sink.getvalue()
