"""A report a commissioner can read: what the scheme is, whether it passes validation, and what
it pays — in total, per area, per indicator group and per practice.

:func:`build_report` gathers everything as plain data from one evaluation (the same
:class:`~qofrules.results.RunResult` that ``run`` prints, so every figure agrees with ``run``);
:func:`render` writes it as one self-contained HTML file (inline CSS, inline SVG charts, a
small inline script that sorts the table; nothing fetched from anywhere) or as markdown for a
pull request or an email. Templates live in ``qofrules/templates/``; Jinja escapes everything.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import jinja2

from . import __version__
from .charts import bars_svg, histogram_bins, histogram_svg
from .compiler import EvaluationTree
from .data.model import Dataset
from .evaluate import evaluate
from .money import decimal_text, minus, pounds, sums, total
from .printer import body_text, condition_text, dated_text, selector_text
from .render import _relative
from .results import RunResult

#: Area columns worth a totals table, in the order shown (those the scheme itself uses come first).
AREA_COLUMNS = ("LMC", "ICB", "CCG", "REGION")
FORMATS = ("html", "markdown")


def _s(value) -> str | None:
    return decimal_text(value) if isinstance(value, Decimal) else None if value is None else str(value)


# ------------------------------------------------------------------ what the report says

def scheme_summary(tree: EvaluationTree) -> dict:
    """Who, what, when, approval and sources, in the scheme's own words."""
    scheme = tree.scheme
    approved, consulted, runs = scheme.approved, scheme.consulted, scheme.runs
    rules = []
    for plan in tree.rules:
        rule = plan.rule
        rules.append({"title": rule.title.value, "line": rule.span.line,
                      "applies_to": selector_text(rule.applies.selector) if rule.applies else None,
                      "pay": plan.pay_text, "on_request": plan.request_text,
                      "reporting": rule.reporting, "indicators": list(plan.codes)})
    return {
        "id": scheme.id.text, "title": scheme.title.value, "file": _relative(tree.source.name),
        "contract": tree.contract.key, "contract_title": tree.contract.title,
        "contract_complete": tree.contract.complete,
        "area": [body_text(b) for b in scheme.areas],
        "approved": None if approved is None else {
            "by": [body_text(b) for b in approved.bodies],
            "on": approved.date.text if approved.date else None,
            "when": dated_text(approved.date) if approved.date else None},
        "consulted": None if consulted is None else {
            "by": [body_text(b) for b in consulted.bodies],
            "on": consulted.date.text if consulted.date else None,
            "when": dated_text(consulted.date) if consulted.date else None},
        "runs": None if runs is None else {"from": runs.start.text, "to": runs.end.text},
        "pays_for": scheme.pays_for, "months_run": tree.months_run,
        "eligible_when": condition_text(scheme.eligibility) if scheme.eligibility is not None else None,
        "sources": [s.value for s in scheme.sources],
        "waivers": [{"rule": w.rule.text, "granted_by": [body_text(b) for b in w.granted_by],
                     "granted_on": w.granted_on.text, "until": w.until.text if w.until else None,
                     "reason": w.reason.value} for w in scheme.waivers],
        "rules": rules,
    }


def validation_verdict(scheme_path: str | None) -> dict:
    """The validator's verdict, when this installation has one (``qofrules.api.validate``).

    Guarded: the validator is optional to the report. Any failure of it is reported in the
    report as 'not available', with the reason, never as a pass."""
    from . import api
    validate = getattr(api, "validate", None)
    if validate is None or scheme_path is None:
        return {"available": False, "reason": "this version of qofrules has no validator ('qofrules validate')"}
    try:
        found = validate(scheme_path)
    except Exception as exc:  # noqa: BLE001 - the report must still be written; say why there is no verdict
        detail = "; ".join(getattr(d, "message", str(d)) for d in getattr(exc, "diagnostics", ())) or str(exc)
        return {"available": False, "reason": f"the validator could not run: {detail}"}
    return {"available": True, **_verdict_fields(found)}


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
                        "line": item.get("line"), "source": item.get("source") or item.get("basis")})
        else:
            out.append({"code": None, "severity": None, "message": str(item), "line": None, "source": None})
    return out


def _ok(found: dict) -> bool | None:
    for key in ("ok", "valid", "passed", "lawful"):
        if isinstance(found.get(key), bool):
            return found[key]
    return None


def area_columns(tree: EvaluationTree, dataset: Dataset) -> list[str]:
    from .bodies import area_column
    used = [area_column(b) for b in tree.scheme.areas if area_column(b)]
    ordered = list(dict.fromkeys(used + list(AREA_COLUMNS)))
    return [c for c in ordered if c in dataset.area_columns]


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
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for p in result.practices:
        if p.difference is None:
            continue
        for item in p.indicators:
            sums[item.group][0] = total((sums[item.group][0], item.national.payment))
            sums[item.group][1] = total((sums[item.group][1], item.scheme.payment))
    out = []
    for code, (national, scheme) in sums.items():
        group = tree.contract.groups.get(code)
        out.append({"group": code, "description": group.description if group else "", "national_payment": _s(national),
                    "scheme_payment": _s(scheme), "difference": _s(minus(scheme, national))})
    return sorted(out, key=lambda g: (-abs(Decimal(g["difference"])), g["group"]))


def build_report(tree: EvaluationTree, dataset: Dataset, scheme_path: str | None = None,
                 result: RunResult | None = None) -> dict:
    """Everything the report shows, as plain data (money as decimal strings)."""
    result = result or evaluate(tree, dataset)
    areas_of = {p.code: p.areas for p in dataset.practices}
    columns = area_columns(tree, dataset)
    distinct = {c: len({areas_of[p.code].get(c, "") for p in result.practices}) for c in columns}
    # A table of one area repeats the total; the per-practice table shows only the two most telling columns.
    columns = [c for i, c in enumerate(columns) if i == 0 or distinct[c] > 1]
    totals = {k: (_s(v) if isinstance(v, Decimal) else v) for k, v in result.totals.items()}
    changes = [p.difference for p in result.practices if p.eligible and p.difference is not None]
    practices = []
    for p in result.practices:
        row = p.to_plain(indicators=False)
        row["areas"] = {c: areas_of[p.code].get(c, "") for c in columns[:2]}
        practices.append(row)
    return {
        "generated_by": f"qofrules {__version__}", "generated_on": dt.date.today().isoformat(),
        "scheme": scheme_summary(tree),
        "dataset": {"name": dataset.name, "synthetic": dataset.synthetic, "notice": dataset.notice.strip(),
                    "origin": _relative(dataset.origin) if dataset.origin else ""},
        "supplied_figures": [_relative(s) for s in result.supplied_figures],
        "notes": list(result.notes),
        "validation": validation_verdict(scheme_path),
        "totals": totals,
        "area_columns": columns,
        "table_area_columns": columns[:2],
        "areas": {c: _area_totals(result, areas_of, c) for c in columns},
        "groups": _group_totals(result, tree),
        "changes": {"eligible_with_change": len(changes),
                    "gaining": sum(1 for c in changes if c > 0), "losing": sum(1 for c in changes if c < 0),
                    "unchanged": sum(1 for c in changes if c == 0),
                    "largest_gain": _s(max(changes)) if changes else None,
                    "largest_loss": _s(min(changes)) if changes else None,
                    "bins": [{"low": str(b.low), "high": str(b.high), "count": b.count}
                             for b in histogram_bins([c for c in changes if c != 0])]},
        "practices": practices,
    }


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
    groups = bars_svg([(f"{g['group']}", Decimal(g["difference"])) for g in plain["groups"]],
                      "Change in payment by indicator group",
                      "Sum over all practices of scheme minus national-rules payment, per indicator group.")
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


def report_text(tree: EvaluationTree, dataset: Dataset, scheme_path: str | None, fmt: str) -> str:
    return render(build_report(tree, dataset, scheme_path), fmt)
