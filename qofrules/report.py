"""A report a commissioner can read, print and forward: what the scheme is, whether it passes
validation (on the report's own data), and what it pays — in total, per area, per indicator group,
per top-up and floor, and per practice in the scheme's area (the rest of the data set only counted,
in a collapsed section).

:func:`build_report` gathers everything as plain data from one evaluation (the same
:class:`~qofrules.results.RunResult` that ``run`` prints, so every figure agrees with ``run``;
:func:`_read` is the one place that reads results and practices). Scheme constructs are said in
plain words (:mod:`qofrules.plainwords`), and which geography the data's areas are is said beside
the area tables (:mod:`qofrules.geography`). :func:`render` writes it as one self-contained HTML
file (inline CSS, inline SVG charts, a small inline script that sorts and filters the practice
table; nothing fetched from anywhere; a ``<main>`` landmark, sort buttons with ``aria-sort``) or as
markdown for a pull request or an email. Templates live in ``qofrules/templates/``; Jinja escapes
everything.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal

import jinja2

from . import __version__
from .charts import bars_svg, histogram_bins, histogram_svg
from .compiler import EvaluationTree
from .data.model import Dataset
from .engine.exact import evaluate
from .money import decimal_text, minus, pounds, sums, total
from . import ast
from . import plainwords as words
from .eligibility import in_scope
from .bodies import area_column
from .geography import column_notes
from .printer import adjusted_text, number_text
from .render import _relative
from .results import RunResult

#: Area columns worth a totals table, in the order shown (those the scheme itself uses come first).
AREA_COLUMNS = ("LMC", "ICB", "CCG", "REGION")
FORMATS = ("html", "markdown")


def _s(value) -> str | None:
    return decimal_text(value) if isinstance(value, Decimal) else None if value is None else str(value)


# ------------------------------------------------------------------ what the report says

def scheme_summary(tree: EvaluationTree) -> dict:
    """Who, what, when, approval and sources, in plain words (:mod:`qofrules.plainwords`): a
    commissioner reads "Leeds LMC", not ``lmc "Leeds"``."""
    scheme = tree.scheme
    approved, consulted, runs = scheme.approved, scheme.consulted, scheme.runs
    name = _group_names(tree)
    rules = []
    for plan in tree.rules:
        rule = plan.rule
        rules.append({"title": rule.title.value, "line": rule.span.line,
                      "applies_to": words.selector_words(rule.applies.selector, name) if rule.applies else None,
                      "pay": words.basis_words(rule.pay.basis) if rule.pay else None,
                      "on_request": words.basis_words(rule.on_request.basis) if rule.on_request else None,
                      "only_when": words.condition_words(plan.condition) if plan.condition is not None else None,
                      "reporting": words.reporting_words(rule.reporting), "indicators": list(plan.codes)})
    return {
        "id": scheme.id.text, "title": scheme.title.value, "file": _relative(tree.source.name),
        "contract": tree.contract.key, "contract_title": tree.contract.title,
        "contract_complete": tree.contract.complete,
        "area": [words.body_words(b) for b in scheme.areas],
        "approved": None if approved is None else {
            "by": words.bodies_words(approved.bodies) or "no body",
            "when": words.dated_words(approved.date) if approved.date else None},
        "consulted": None if consulted is None else {
            "by": words.bodies_words(consulted.bodies) or "no body",
            "when": words.dated_words(consulted.date) if consulted.date else None},
        "runs": None if runs is None else {"from": words.date_words(runs.start), "to": words.date_words(runs.end)},
        "pays_for": words.pays_for_words(scheme.pays_for, tree.months_run), "months_run": tree.months_run,
        "eligible_when": words.condition_words(scheme.eligibility) if scheme.eligibility is not None else None,
        "sources": [s.value for s in scheme.sources],
        "waivers": [{"rule": w.rule.text, "granted_by": words.bodies_words(w.granted_by),
                     "granted_on": words.date_words(w.granted_on), "until": words.date_words(w.until),
                     "reason": w.reason.value} for w in scheme.waivers],
        "rules": rules,
        "local_indicators": [_local_indicator(li) for li in scheme.local_indicators],
    }


def _group_names(tree: EvaluationTree):
    groups = tree.contract.groups

    def name(code: str) -> str:
        group = groups.get(code)
        return words.group_name(group.description if group else None, code)
    return name


def _local_indicator(indicator) -> dict:
    thresholds = indicator.thresholds
    price = indicator.price
    adjusted = indicator.adjusted
    return {"code": indicator.code.text, "title": indicator.title.value, "measure": indicator.measure,
            "thresholds": None if thresholds is None else (
                f"{number_text(thresholds[0])}%" if thresholds[0] == thresholds[1]
                else f"{number_text(thresholds[0])}% to {number_text(thresholds[1])}%"),
            "points": None if indicator.points is None else number_text(indicator.points),
            "price": None if price is None else ("the year's £ per QOF point" if price.kind == ast.NATIONAL_PRICE
                                                 else f"{price.text} {price.kind}"),
            "adjusted": None if adjusted is None else adjusted_text(adjusted)}


def validation_verdict(validate, scheme_path: str | None, data_path: str | None = None, overrides=()) -> dict:
    """The validator's verdict on the scheme *with the data the report is on* (so that it does not
    warn that earlier years' achievement cannot be confirmed without practice data).

    ``validate`` is :func:`qofrules.api.validate`, given by the caller: the report sits below the
    API and does not import it. Guarded: the validator is optional to the report. Any failure of it
    is reported in the report as 'not available', with the reason, never as a pass."""
    if validate is None or scheme_path is None:
        return {"available": False, "reason": "the report was made without the validator ('qofrules validate')"}
    try:
        found = validate(scheme_path, data_path, tuple(overrides)) if data_path else validate(scheme_path)
    except Exception as exc:  # noqa: BLE001 - the report must still be written; say why there is no verdict
        detail = "; ".join(getattr(d, "message", str(d)) for d in getattr(exc, "diagnostics", ())) or str(exc)
        return {"available": False, "reason": f"the validator could not run: {detail}"}
    return {"available": True, "with_data": bool(data_path), **_verdict_fields(found)}


def _verdict_fields(found) -> dict:
    """Read a verdict whatever its exact shape: a dict with ``ok``/``verdict`` and ``findings`` or
    ``diagnostics``, or a list of per-file such dicts."""
    if hasattr(found, "to_plain"):
        found = found.to_plain()
    if isinstance(found, list):
        found = found[0] if len(found) == 1 else {"findings": [f for item in found for f in _findings(item)],
                                                    "ok": all(_ok(item) for item in found)}
    if not isinstance(found, dict):
        return {"ok": None, "summary": str(found), "findings": []}
    findings = _findings(found)
    summary = found.get("verdict") or found.get("summary")
    return {"ok": _ok(found), "summary": summary if isinstance(summary, str) else None, "findings": findings}


def _findings(found: dict) -> list[dict]:
    items = found.get("findings") or found.get("diagnostics") or []
    out = []
    for item in items:
        if isinstance(item, dict):
            out.append({"code": item.get("code"), "severity": item.get("severity"),
                        "message": item.get("message") or item.get("title") or str(item),
                        "hint": item.get("hint"), "line": item.get("line"),
                        "source": item.get("source") or item.get("basis")})
        else:
            out.append({"code": None, "severity": None, "message": str(item), "hint": None, "line": None,
                        "source": None})
    return out


def _ok(found: dict) -> bool | None:
    for key in ("ok", "valid", "passed", "lawful"):
        if isinstance(found.get(key), bool):
            return found[key]
    return None


def area_columns(tree: EvaluationTree, dataset: Dataset) -> list[str]:
    used = [area_column(b) for b in tree.scheme.areas if area_column(b)]
    ordered = list(dict.fromkeys(used + list(AREA_COLUMNS)))
    return [c for c in ordered if c in dataset.area_columns]


# ------------------------------------------------------------------ the one place that reads the data

def _read(tree: EvaluationTree, dataset: Dataset, result: RunResult | None) -> tuple[RunResult, dict, set[str]]:
    """(the run's result, each practice's areas, the codes of practices in the scheme's area).

    Everything the report takes from the data set passes through here, so that a change in how
    results or practices are read (the columnar path) is a change to this function alone."""
    result = result or evaluate(tree, dataset)
    areas_of = {p.code: p.areas for p in dataset.practices}
    in_area = {p.code for p in dataset.practices if in_scope(p, tree.scheme.areas).value}
    return result, areas_of, in_area


# ------------------------------------------------------------------ sums

def _area_totals(result: RunResult, areas_of: dict[str, dict[str, str]], column: str) -> list[dict]:
    rows: dict[str, dict] = {}
    for p in result.practices:
        name = areas_of[p.code].get(column) or "(blank)"
        row = rows.setdefault(name, {"area": name, "practices": 0, "eligible": 0, "national_payment": Decimal(0),
                                     "scheme_payment": Decimal(0), "difference": Decimal(0), "unknown": 0})
        row["practices"] += 1
        row["eligible"] += p.eligible
        if p.difference is None:
            row["unknown"] += 1
            continue
        with sums():
            row["national_payment"] += p.national_payment
            row["scheme_payment"] += p.scheme_payment
            row["difference"] += p.difference
    ordered = sorted(rows.values(), key=lambda r: (-r["eligible"], r["area"]))
    return [{k: (_s(v) if isinstance(v, Decimal) else v) for k, v in row.items()} for row in ordered]


def _group_totals(result: RunResult, tree: EvaluationTree) -> list[dict]:
    """Per indicator group (a scheme's local indicators are the group LOCAL), the sums over the
    practices whose payments are both known, so that groups and adjustments add up to the total."""
    if not tree.contract.indicators and not tree.scheme.local_indicators:
        return []  # a year with no QOF (Scotland from 2016/17): no indicator, so no group to sum
    group_of = {code: indicator.group for code, indicator in tree.contract.indicators.items()}
    # Whole pence summed as ints (results.pence_of, read from the cells on the columnar path):
    # half a million indicator results made and added as Decimals were two thirds of a report.
    sums_of: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    from .progress import each
    for p in each(result.practices, what="summing groups"):
        if p.difference is None:
            continue
        for code, (national, scheme, _) in p.pence().items():
            sums = sums_of[group_of[code]]
            sums[0] += national
            sums[1] += scheme
    name = _group_names(tree)
    out = []
    for code, (national_pence, scheme_pence) in sums_of.items():
        national, scheme = Decimal(national_pence).scaleb(-2), Decimal(scheme_pence).scaleb(-2)
        group = tree.contract.groups.get(code)
        label = ("The scheme's local indicators" if code == "LOCAL" and group is None else name(code))
        shown = label if label == code or code == "LOCAL" or f"({code})" in label else f"{label} ({code})"
        out.append({"group": code, "name": label, "label": shown, "description": label if label != code else "",
                    "national_payment": _s(national), "scheme_payment": _s(scheme),
                    "difference": _s(minus(scheme, national))})
    return sorted(out, key=lambda g: (-abs(Decimal(g["difference"])), g["group"]))


def _adjustment_totals(result: RunResult, tree: EvaluationTree) -> list[dict]:
    """Each top-up and floor: what it says in plain words, how many practices it paid and how much
    (over the practices whose payments are both known, as the group totals are)."""
    out = []
    for adjustment in tree.scheme.adjustments:
        title = adjustment.title.value
        paid, count, unknown = Decimal(0), 0, 0
        for p in result.practices:
            for item in p.adjustments:
                if item.title != title:
                    continue
                if item.payment is None or p.difference is None:
                    unknown += 1
                    continue
                paid = total((paid, item.payment))
                count += 1 if item.payment else 0
        if isinstance(adjustment, ast.TopUp):
            kind, says = "top-up", words.amount_words(adjustment.amount)
        else:
            kind = "floor"
            floor = adjustment.at_least
            says = ("no basis given" if floor is None else
                    f"at least each practice's own sum, from its {floor.attribute.text} column"
                    if floor.attribute is not None else
                    "at least " + words.basis_words(floor.basis) + " at this year's prices")
        only = adjustment.only_when
        out.append({"title": title, "kind": kind, "says": says,
                    "only_when": words.condition_words(only) if only is not None else None,
                    "practices_paid": count, "unknown": unknown, "payment": _s(paid)})
    return out


# ------------------------------------------------------------------ the banner

_NOTICE_PREFIX = re.compile(r"^\s*synthetic data\s*[:.\-—]\s*", re.IGNORECASE)


def _notices(result: RunResult, dataset: Dataset) -> list[dict]:
    """The notices above the report, each said once: a data set's notice often begins with its own
    "SYNTHETIC DATA:", which the heading already says."""
    out = []
    if dataset.synthetic:
        out.append({"kind": "synthetic", "title": "Synthetic data",
                    "text": _NOTICE_PREFIX.sub("", " ".join(dataset.notice.split()))})
    elif dataset.notice.strip():
        out.append({"kind": "notice", "title": "About the data", "text": " ".join(dataset.notice.split())})
    for supplied in result.supplied_figures:
        where, _, label = _relative(supplied).partition(": ")
        out.append({"kind": "supplied", "title": "Figures not from national data",
                    "text": f"supplied by {where}" + (f": {label}" if label else "")})
    for note in result.notes:
        out.append({"kind": "note", "title": "Note", "text": note})
    return out


def build_report(tree: EvaluationTree, dataset: Dataset, scheme_path: str | None = None,
                 result: RunResult | None = None, *, data_path: str | None = None, overrides=(),
                 validate=None) -> dict:
    """Everything the report shows, as plain data (money as decimal strings). ``validate`` (the
    API's validator) gives the report its verdict; ``data_path`` (default: the path the data set was
    loaded from) and ``overrides`` are given to it, so its verdict is on the data the report is on."""
    result, areas_of, in_area = _read(tree, dataset, result)
    columns = area_columns(tree, dataset)
    names = {c: {areas_of[p.code].get(c, "") for p in result.practices} for c in columns}
    # A column the data leaves blank places no practice; a table of one area repeats the total.
    columns = [c for c in columns if names[c] - {""}]
    columns = [c for i, c in enumerate(columns) if i == 0 or len(names[c]) > 1]
    inside = [p for p in result.practices if p.code in in_area]
    outside = [p for p in result.practices if p.code not in in_area]
    # The practice table shows one area column: the first that tells the area's practices apart,
    # the scheme's own area column first, then the primary care network, then the larger areas.
    own = [c for c in columns[:1] if c in {area_column(b) for b in tree.scheme.areas}]
    candidates = list(dict.fromkeys(own + [c for c in ("PCN",) if c in dataset.area_columns] + columns))
    table_columns = [c for c in candidates if len({areas_of[p.code].get(c, "") for p in inside}) > 1][:1]
    totals = {k: (_s(v) if isinstance(v, Decimal) else v) for k, v in result.totals.items()}
    changes = [p.difference for p in result.practices if p.eligible and p.difference is not None]
    values = {c: {areas_of[p.code].get(c, "") for p in result.practices} for c in columns}
    geography = column_notes(tree, columns, values)
    later = {n.column for n in geography if n.later}

    def row(p) -> dict:
        plain = p.to_plain(indicators=False)
        plain["areas"] = {c: areas_of[p.code].get(c, "") for c in table_columns}
        plain.pop("adjustments", None)
        return plain
    outside_by_area: dict[str, int] = defaultdict(int)
    first = columns[0] if columns else None
    for p in outside:
        outside_by_area[areas_of[p.code].get(first, "") if first else ""] += 1
    codes = [p.code for p in inside]
    return {
        "generated_by": f"qofrules {__version__}", "generated_on": dt.date.today().isoformat(),
        "scheme": scheme_summary(tree),
        "dataset": {"name": dataset.name, "synthetic": dataset.synthetic, "notice": dataset.notice.strip(),
                    "origin": _relative(dataset.origin) if dataset.origin else ""},
        "notices": _notices(result, dataset),
        "supplied_figures": [_relative(s) for s in result.supplied_figures],
        "notes": list(result.notes),
        "validation": validation_verdict(validate, scheme_path, data_path or dataset.origin or None, overrides),
        "totals": totals,
        "area_columns": columns,
        "table_area_columns": table_columns,
        "areas": {c: _area_totals(result, areas_of, c) for c in columns},
        "geography": {"columns": columns, "later": sorted(later),
                      "notes": [{"column": n.column, "text": n.text} for n in geography]},
        "groups": _group_totals(result, tree),
        "adjustments": _adjustment_totals(result, tree),
        "changes": {"eligible_with_change": len(changes),
                    "gaining": sum(1 for c in changes if c > 0), "losing": sum(1 for c in changes if c < 0),
                    "unchanged": sum(1 for c in changes if c == 0),
                    "largest_gain": _s(max(changes)) if changes else None,
                    "largest_loss": _s(min(changes)) if changes else None,
                    "bins": [{"low": str(b.low), "high": str(b.high), "count": b.count}
                             for b in histogram_bins([c for c in changes if c != 0])]},
        "scope": {"area": scheme_summary_area(tree), "in_area": len(inside), "outside": len(outside),
                  "outside_by_area": [{"area": a or "(blank)", "practices": n}
                                      for a, n in sorted(outside_by_area.items(), key=lambda kv: (-kv[1], kv[0]))],
                  "outside_column": first, "sorted_by_code": codes == sorted(codes)},
        "practice_columns": _practice_columns(table_columns),
        "practices": [row(p) for p in inside],
        "outside_practices": [dict(row(p), reason=_outside_reason(areas_of[p.code], first)) for p in outside],
    }


def _practice_columns(area_columns: list[str]) -> list[tuple[str, str, str, str]]:
    """The practice table's columns: (sort key, text or number, heading, CSS class)."""
    return ([("practice", "text", "Practice", ""), ("name", "text", "Name", "")]
            + [(f"area-{c}", "text", c, "") for c in area_columns]
            + [("list_size", "number", "List size", "num"), ("eligible", "text", "Eligible", ""),
               ("national_payment", "number", "National rules", "num"), ("scheme_payment", "number", "Scheme", "num"),
               ("difference", "number", "Difference", "num"), ("reason", "text", "Why", "")])


def _outside_reason(areas: dict[str, str], column: str | None) -> str:
    """Why a practice outside the area is not eligible, without the scheme syntax run's reason has."""
    where = areas.get(column, "") if column else ""
    return f"outside the area ({column} {where})" if where else "outside the area"


def scheme_summary_area(tree: EvaluationTree) -> str:
    """The scheme's area in plain words, or None-like text when it names none."""
    return words.and_list([words.body_words(b) for b in tree.scheme.areas], "or") or "every practice"


# ------------------------------------------------------------------ writing it out

def _money(value) -> str:
    return pounds(None if value is None else Decimal(value))


def _signed(value) -> str:
    if value is None:
        return "—"
    amount = Decimal(value)
    return "£0.00" if amount == 0 else ("+" if amount > 0 else "") + pounds(amount)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("qofrules", "templates"),
                             autoescape=jinja2.select_autoescape(["html"], default_for_string=False),
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["money"] = _money
    env.filters["signed"] = _signed
    env.filters["sign_class"] = lambda v: ("" if v is None or Decimal(v) == 0 else "gain" if Decimal(v) > 0 else "loss")
    env.filters["md"] = lambda text: str(text).replace("|", "\\|").replace("\n", " ")
    return env


def _charts(plain: dict) -> dict:
    from .charts import Bin
    changes = plain["changes"]
    bins = [Bin(Decimal(b["low"]), Decimal(b["high"]), b["count"]) for b in changes["bins"]]
    not_eligible = plain["totals"]["practices"] - plain["totals"]["eligible"]
    histogram = histogram_svg(
        bins, changes["unchanged"], "Change in payment per eligible practice",
        f"{changes['eligible_with_change']} eligible practices by £ change (scheme minus national rules): "
        f"{changes['gaining']} gain, {changes['losing']} lose, {changes['unchanged']} unchanged. "
        f"{not_eligible} practices not eligible are paid under the national rules and change by £0.")
    bars = [(g["label"], Decimal(g["difference"]), g["group"]) for g in plain["groups"]]
    bars += [(f"{a['kind'].capitalize()}: {a['title']}", Decimal(a["payment"]), a["title"])
             for a in plain["adjustments"]]
    changed = [bar for bar in bars if bar[1] != 0]
    unchanged = len(bars) - len(changed)
    # A bar of £0 per unchanged group is noise: the chart draws the groups that change, and says
    # how many do not (the table below lists every group).
    groups = bars_svg(changed, "Change in payment by indicator group",
                      "Sum over all practices of scheme minus national-rules payment, per indicator group"
                      + (" and per top-up or floor" if plain["adjustments"] else "")
                      + (f"; {unchanged} unchanged (£0), not drawn." if unchanged else "."),
                      empty="no indicator group's payment changes")
    return {"histogram": histogram, "groups": groups}


def render(plain: dict, fmt: str = "html") -> str:
    if fmt not in FORMATS:
        raise ValueError(fmt)
    env = _environment()
    if fmt == "markdown":
        text = env.get_template("report.md").render(r=plain)
    else:
        text = env.get_template("report.html").render(r=plain, charts=_charts(plain))
    return text.rstrip("\n") + "\n"
