"""Results as text tables and CSV, for people and spreadsheets (JSON comes from ``to_plain``)."""
from __future__ import annotations

import csv
import io
import os
import textwrap
from decimal import Decimal
from typing import TYPE_CHECKING

from .money import minus, pounds, total

if TYPE_CHECKING:  # only named here: a run's results, imported by the commands that make them
    from .results import RunResult

NAME_WIDTH = 30


def _points(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def _signed(value: Decimal | None) -> str:
    if value is None:
        return "—"
    if value == 0:
        return "£0.00"
    return ("+" if value > 0 else "") + pounds(value)


def _relative(text: str) -> str:
    """Shorten an absolute path at the start of ``text`` to one relative to the working directory."""
    path, sep, rest = text.partition(": ")
    if os.path.isabs(path):
        try:
            path = os.path.relpath(path)
        except ValueError:
            pass
    return path + sep + rest


def _wrap(text: str, **indents) -> list[str]:
    """``text`` wrapped at 100 columns between words only: a path or a hyphenated name
    (contract-overrides.yaml) is never broken across lines, where it could not be copied whole."""
    return textwrap.wrap(text, width=100, break_long_words=False, break_on_hyphens=False, **indents)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _total_pounds(total, unknown: int, count: int) -> str:
    """A total of pounds, or "—" when no practice's payment is known: the sum of nothing is not
    £0.00 (which would read as a scheme that pays nobody)."""
    return "—" if count and unknown >= count else pounds(total)


def _total_points(result: RunResult, attribute: str, totals: dict) -> str:
    """A total of points, or "—" when no practice's points are known (as :func:`_total_pounds`)."""
    known = any(getattr(p, attribute) is not None for p in result.practices)
    return _points(totals[attribute]) if known or not result.practices else "—"


def _like_for_like(result: RunResult, totals: dict) -> list[str]:
    """Where some practices lack one payment, the scheme and national totals cover different
    practices, and scheme minus national is not the difference total: say what the totals are over
    the practices with both payments, where they do reconcile."""
    both = [p for p in result.practices if p.difference is not None]
    if not both or len(both) == totals["practices"]:
        return []
    scheme, national = total(p.scheme_payment for p in both), total(p.national_payment for p in both)
    return [f"over the {_plural(len(both), 'practice')} with both payments: scheme {pounds(scheme)}, national "
            f"{pounds(national)}, difference {_signed(minus(scheme, national))}"]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def run_notices(result: RunResult) -> list[str]:
    """What every result must say above its figures, one notice per item, unwrapped: the scheme,
    the data set (and that it is synthetic, with its notice), every file of figures not from
    national data (with its label: illustrative, not national), the months run and the notes."""
    out = [f'Scheme {result.scheme_id} "{result.scheme_title}" — contract {result.contract}']
    out.append(f"Data: {result.dataset}" + (" (SYNTHETIC)" if result.synthetic else ""))
    if result.notice:
        out.append(" ".join(result.notice.split()))
    for supplied in result.supplied_figures:
        out.append(f"Figures not from national data, supplied by {_relative(supplied)}")
    if result.months_run is not None:
        out.append(f"Pays for the months run: {result.months_run} of 12 on the scheme's bases, the rest on national rules")
    for note in result.notes:
        out.append(f"Note: {note}")
    return out


def run_text(result: RunResult, *, reasons: bool = False) -> str:
    out = [f'Scheme {result.scheme_id} "{result.scheme_title}" — contract {result.contract}']
    out.append(f"Data: {result.dataset}" + (" (SYNTHETIC)" if result.synthetic else ""))
    if result.notice:
        out.extend(_wrap(result.notice.strip(), initial_indent="  ", subsequent_indent="  "))
    for supplied in result.supplied_figures:
        out.extend(_wrap(f"Figures not from national data, supplied by {_relative(supplied)}", subsequent_indent="  "))
    if result.months_run is not None:
        out.append(f"Pays for the months run: {result.months_run} of 12 on the scheme's bases, the rest on national rules")
    for note in result.notes:
        out.extend(_wrap(f"Note: {note}", subsequent_indent="  "))
    out.append("")
    headers = ["practice", "name", "eligible", "scheme points", "scheme £", "national points", "national £",
               "difference"]
    rows = []
    for p in result.practices:
        rows.append([p.code, _cut(p.name, NAME_WIDTH), "yes" if p.eligible else "no", _points(p.scheme_points),
                     pounds(p.scheme_payment), _points(p.national_points), pounds(p.national_payment),
                     _signed(p.difference)])
    totals = result.totals
    count = totals["practices"]
    total_row = ["TOTAL", _plural(count, "practice"), f"{totals['eligible']} yes",
                 _total_points(result, "scheme_points", totals),
                 _total_pounds(totals["scheme_payment"], totals["scheme_payment_unknown"], count),
                 _total_points(result, "national_points", totals),
                 _total_pounds(totals["national_payment"], totals["national_payment_unknown"], count),
                 "—" if count and totals["difference_unknown"] >= count else _signed(totals["difference"])]
    widths = [max(len(str(r[i])) for r in rows + [headers, total_row]) for i in range(len(headers))]
    right = {3, 4, 5, 6, 7}

    def line(cells):
        return "  ".join(str(c).rjust(w) if i in right else str(c).ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    out.append(line(headers))
    out.append("  ".join("-" * w for w in widths))
    for row, practice in zip(rows, result.practices):
        out.append(line(row))
        if reasons:
            out.append(f"    {practice.reason}")
        if practice.missing:
            out.append(f"    missing: {'; '.join(practice.missing[:5])}"
                       + (f" and {len(practice.missing) - 5} more" if len(practice.missing) > 5 else ""))
    out.append("  ".join("-" * w for w in widths))
    out.append(line(total_row))
    unknown = [(totals["scheme_payment_unknown"], "scheme"), (totals["national_payment_unknown"], "national")]
    for count, side in unknown:
        if count:
            out.append(f"{count} practice(s) have a {side} payment that could not be computed (—); "
                       "totals leave them out")
    if totals["difference_unknown"]:
        out.append(f"the difference total leaves out {totals['difference_unknown']} practice(s) without both payments")
        out.extend(_like_for_like(result, totals))
    out.append("Points are rounded to 2 dp and pounds to the penny per indicator; totals are sums of the printed parts.")
    return "\n".join(out) + "\n"


CSV_COLUMNS = ["practice", "name", "list_size", "eligible", "reason", "scheme_points", "scheme_payment",
               "national_points", "national_payment", "difference"]


def run_csv(result: RunResult) -> str:
    """The header row and one row per practice, after the run's notices (run_notices) as lines that
    start with ``#``, one notice a line (docs/data-formats.md, "Results as CSV"): the header is the
    first line that does not start with ``#``."""
    buffer = io.StringIO()
    for notice in run_notices(result):
        buffer.write("# " + " ".join(notice.split()) + "\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for p in result.practices:
        plain = p.to_plain(indicators=False)
        writer.writerow(["" if plain[c] is None else ("yes" if plain[c] is True else "no" if plain[c] is False
                                                      else plain[c]) for c in CSV_COLUMNS])
    return buffer.getvalue()


def _table(headers: list[str], rows: list[list[str]], indent: str = "") -> list[str]:
    widths = [max(len(r[i]) for r in rows + [headers]) for i in range(len(headers))]
    out = [indent + "  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip(),
           indent + "  ".join("-" * w for w in widths)]
    return out + [indent + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]


def _known_of(known, published) -> str:
    return f"{known} / {'?' if published is None else published}"


def contracts_text(summaries: list[dict]) -> str:
    """Every year asked for, grouped by country: how much of each year's data qofrules has."""
    headers = ["contract", "indicators listed", "points (known / published)", "£ per point",
               "complete", "checked", "unchecked", "unknown"]
    out: list[str] = []
    countries = list(dict.fromkeys(s["country"] for s in summaries))
    for country in countries:
        rows = [[f"{s['country']} {s['year']}", s["listed"], _known_of(s["known_points"], s["published_total_points"]),
                 f"£{s['point_value']}" if s["point_value"] else "unknown", "yes" if s["complete"] else "no",
                 str(s["figures"]["checked"]), str(s["figures"]["unchecked"]), str(s["figures"]["unknown"])]
                for s in summaries if s["country"] == country]
        out.append(f"{country} ({len(rows)} year{'' if len(rows) == 1 else 's'})")
        out += _table(headers, rows, indent="  ")
        out.append("")
    out.append("checked: read in the cited source; unchecked: from a cited secondary source; unknown: no value —")
    out.append("qofrules refuses to compute with an unknown figure until you supply it (--contract-overrides).")
    out.append("'qofrules contracts COUNTRY YEAR' shows every figure of a year, its source, and what it needs "
               "before computing payments.")
    return "\n".join(out) + "\n"


def contract_text(detail: dict) -> str:
    """One contract year: its completeness, notes, and every figure with value, status and source."""
    out = [f"{detail['title']} ({detail['country']} {detail['year']})",
           f"  indicators listed: {detail['listed']}; points known: "
           f"{_known_of(detail['known_points'], detail['published_total_points'])}; £ per point: "
           f"{'£' + detail['point_value'] if detail['point_value'] else 'unknown'}; complete: "
           f"{'yes' if detail['complete'] else 'no'}",
           "  figures: " + ", ".join(f"{detail['figures'][k]} {k}" for k in ("checked", "unchecked", "unknown"))]
    if detail["notes"]:
        out.append("")
        out += textwrap.wrap(detail["notes"], width=100, initial_indent="  ", subsequent_indent="  ")
    out.append("")
    rows = [[f["figure"], "—" if f["value"] is None else str(f["value"]), f["status"],
             (f["source"] + (f" ({f['note']})" if f["note"] and f["status"] == "unknown" else "")).strip()]
            for f in detail["figures_list"]]
    out += _table(["figure", "value", "status", "source"], rows)
    if detail["published_indicator_count"] == 0:
        out += ["", "No QOF this year (0 indicators, 0 points): qofrules refuses to compute QOF payments on it (QE004)."]
    elif detail["missing_for_payment"]:
        out.append("")
        out.extend(textwrap.wrap("Needs before computing payments: " + "; ".join(detail["missing_for_payment"]),
                                 width=100, subsequent_indent="  "))
    return "\n".join(out) + "\n"
