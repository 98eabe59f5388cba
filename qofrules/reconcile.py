"""``qofrules reconcile SCHEME|YEAR --data DATA``: qofrules' national-rules points for every
practice × indicator against the ACHIEVED_POINTS the data itself publishes — the check a
commissioner makes before trusting any figure (docs/evaluation.md, "Reconciling with published
points").

The points are computed exactly as ``run`` computes them (whichever reader read the
data), with the contract year's figures and any overrides. Only points are
compared, so figures that only pounds need (£ per point, the national average list size, national
prevalences) are not asked for: where the contract year lacks them they are filled with
placeholders that no output shows, and the report says so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from . import api, syntax
from .engine.cells import YearCells
from .compiler import compile_scheme
from .contracts.model import SUPPLIED, Figure
from .data.columnar import ColumnarData
from .diagnostics import QofError, error
from .money import exact
from .source import Source

YEAR = re.compile(r"^(?:(?P<country>[a-z-]+) )?(?P<year>[0-9]{4}/[0-9]{2})$")
PLACEHOLDER = "reconcile compares points only: no payment is computed from this placeholder"
SHOWN_DIFFERENCES = 50


@dataclass
class Difference:
    practice: str
    name: str
    indicator: str
    published: Decimal | None
    computed: Decimal | None
    why: str = ""

    @property
    def amount(self) -> Decimal | None:
        if self.published is None or self.computed is None:
            return None
        return self.computed - self.published


@dataclass
class Reconciliation:
    contract: str
    target: str
    dataset: str
    synthetic: bool
    notice: str
    supplied: tuple[str, ...]
    placeholders: list[str]
    practices: int
    indicators: int
    agree: int = 0
    differ: list[Difference] = field(default_factory=list)
    not_computed: list[Difference] = field(default_factory=list)   # published, but qofrules cannot compute
    not_published: int = 0                                          # computed, but the data gives no points
    by_indicator: dict[str, dict] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def compared(self) -> int:
        return self.agree + len(self.differ)

    def notices(self) -> list[str]:
        out = [f"Reconcile {self.target}: contract {self.contract}",
               f"Data: {self.dataset}" + (" (SYNTHETIC)" if self.synthetic else "")]
        if self.notice:
            out.append(" ".join(self.notice.split()))
        out += [f"Figures not from national data, supplied by {s}" for s in self.supplied]
        if self.placeholders:
            out.append("Not needed for points, so not asked for: " + ", ".join(self.placeholders))
        out += [f"Note: {n}" for n in self.notes]
        return out

    def to_plain(self) -> dict:
        def cell(d: Difference) -> dict:
            return {"practice": d.practice, "name": d.name, "indicator": d.indicator,
                    "published": _text(d.published), "qofrules": _text(d.computed), "difference": _text(d.amount),
                    "why": d.why}
        return {"contract": self.contract, "target": self.target, "dataset": self.dataset, "synthetic": self.synthetic,
                "notices": self.notices(), "practices": self.practices, "indicators": self.indicators,
                "compared": self.compared, "agree": self.agree, "differ": len(self.differ),
                "not_computed": len(self.not_computed), "not_published": self.not_published,
                "by_indicator": self.by_indicator,
                "differences": [cell(d) for d in self.differ], "cannot_compute": [cell(d) for d in self.not_computed]}


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def national_scheme(country: str, year: str) -> str:
    """A scheme that pays every indicator on the national rules: what ``reconcile YEAR`` runs."""
    return (f'scheme national-rules "National rules, {country} {year}"\n'
            f"  contract: {country} {year}\n"
            "  eligible when: every practice\n\n"
            '  rule "National rules":\n'
            "    applies to: all indicators\n"
            "    pay: achievement\n")


def _points_only(contract):
    """The contract year with placeholders for the figures only payments need, and their labels."""
    placeholder = Figure(value=Decimal(1), status=SUPPLIED, source=PLACEHOLDER)
    changes, named = {}, []
    if not contract.point_value.known:
        changes["point_value"] = placeholder
        named.append("£ per point")
    if not contract.average_list_size.known:
        changes["average_list_size"] = Figure(value=1, status=SUPPLIED, source=PLACEHOLDER)
        named.append("national average list size")
    groups = dict(contract.groups)
    for code, group in contract.groups.items():
        if group.prevalence_adjusted and (group.national_prevalence is None or not group.national_prevalence.known):
            from dataclasses import replace
            groups[code] = replace(group, national_prevalence=placeholder)
            named.append(f"national prevalence of {code}")
    if named:
        changes["groups"] = groups
        contract = contract.with_changes(**changes)
    return contract, named


def tree_for(target: str, data, overrides: tuple[str, ...]):
    """The evaluation tree for a scheme file, or for the national rules of 'YEAR' / 'COUNTRY YEAR'."""
    match = YEAR.match(target.strip())
    files = ([data.contract_overrides] if getattr(data, "contract_overrides", None) else []) + list(overrides)
    if match:
        country, year = match.group("country") or "england", match.group("year")
        source = Source(f"<national rules {country} {year}>", national_scheme(country, year))
        scheme, _ = syntax.parse(source)
        label = f"national rules of {country} {year}"
    else:
        report = api._checked_scheme(target)
        scheme, source = report.scheme, report.source
        country, year = scheme.contract.country.text, scheme.contract.year.text
        label = f"{target} (its national-rules points: published ACHIEVED_POINTS are national)"
    contract = api.load_contract(country, year, files)
    contract, placeholders = _points_only(contract)
    return compile_scheme(scheme, contract, source), label, placeholders


def reconcile(target: str, data, overrides: tuple[str, ...] = ()) -> Reconciliation:
    tree, label, placeholders = tree_for(target, data, overrides)
    contract = tree.contract
    year = contract.year
    if year not in data.years:
        raise QofError([error("QR500", f"the data set {data.name} has no {year} achievement, so there are no "
                              f"published points to reconcile with", source=Source(data.origin or data.name, ""),
                              hint=f"its years: {', '.join(data.years) or 'none'}")])
    computed = _computed(tree, data)
    cells = YearCells(data, year)
    supplied = tuple(sorted({f.source for _, f in contract.figures() if f.status == SUPPLIED and f.source != PLACEHOLDER}))
    result = Reconciliation(contract=contract.key, target=label, dataset=data.name, synthetic=data.synthetic,
                            notice=data.notice, supplied=supplied, placeholders=placeholders,
                            practices=len(data.practices), indicators=len(contract.indicators))
    unknown = sorted(cells.codes() - set(contract.indicators))
    if unknown:
        result.notes.append(f"the data's {year} achievement names codes {contract.key} does not have, not compared: "
                            + ", ".join(unknown[:10]) + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""))
    for code in contract.indicators:
        published, places = cells.points(code)
        mine = computed[code]
        given = places >= 0
        known = ~np.isnan(mine)
        both = given & known
        two = both & (places <= 2)
        equal = two & (published == mine)
        agree = int(equal.sum())
        result.agree += agree
        result.not_published += int((known & ~given).sum())
        differ = np.flatnonzero(both & ~equal).tolist()
        missing = np.flatnonzero(given & ~known).tolist()
        largest = Decimal(0)
        for i in differ:
            text = cells.published_text(code, i)
            entry = Difference(practice=data.practices[i].code, name=data.practices[i].name, indicator=code,
                               published=Decimal(text), computed=Decimal(int(mine[i])).scaleb(-2))
            largest = max(largest, abs(entry.amount))
            result.differ.append(entry)
        for i in missing:
            text = cells.published_text(code, i)
            result.not_computed.append(Difference(practice=data.practices[i].code, name=data.practices[i].name,
                                                  indicator=code, published=Decimal(text), computed=None))
        result.by_indicator[code] = {"agree": agree, "differ": len(differ), "not_computed": len(missing),
                                     "largest_difference": format(largest, "f")}
    _explain(tree, data, result)
    return result


def _computed(tree, data) -> dict[str, np.ndarray]:
    """qofrules' national-rules points per indicator, in whole hundredths (NaN: not computable)."""
    out = {}
    if isinstance(data, ColumnarData):
        from .engine.fastpath import evaluate_columns
        cells: dict = {}
        evaluate_columns(tree, data, cells)
        for code, sides in cells.items():
            points = sides["national"][0]
            out[code] = np.array([np.nan if v is None else float(v) for v in points])
        return out
    from .engine.exact import evaluate
    result = evaluate(tree, data)
    count = len(result.practices)
    for j, code in enumerate(tree.contract.indicators):
        column = np.full(count, np.nan)
        for i, practice in enumerate(result.practices):
            points = practice.indicators[j].national.points
            if points is not None:
                column[i] = int(points.scaleb(2))
        out[code] = column
    return out


def _explain(tree, data, result: Reconciliation) -> None:
    """Each difference shown (and each cell qofrules cannot compute) with qofrules' own account."""
    from .engine.exact import evaluate_indicator
    index = {p.code: i for i, p in enumerate(data.practices)}
    with exact():
        for entry in result.differ[:SHOWN_DIFFERENCES] + result.not_computed[:SHOWN_DIFFERENCES]:
            i = index[entry.practice]
            practice = data.practice_in_full(i, entry.indicator) if isinstance(data, ColumnarData) else data.practices[i]
            cell = evaluate_indicator(tree, practice, entry.indicator, False)
            outcome = cell.national.outcome
            entry.why = outcome.account if outcome.exact is not None else "; ".join(outcome.missing) or outcome.account


def text(result: Reconciliation) -> str:
    out = list(result.notices())
    out.append("")
    out.append(f"Compared {result.practices:,} practices × {result.indicators} indicators: {result.compared:,} "
               f"practice × indicator cells with published ACHIEVED_POINTS that qofrules computes")
    out.append(f"  agree: {result.agree:,}   differ: {len(result.differ):,}   published but not computable: "
               f"{len(result.not_computed):,}   computed but not published: {result.not_published:,}")
    if result.differ:
        out.append("")
        out.append("Indicators with differences:")
        for code, counts in result.by_indicator.items():
            if counts["differ"]:
                out.append(f"  {code}: {counts['differ']:,} cells differ (largest {counts['largest_difference']} points)")
        out.append("")
        out.append(f"Differences{' (the first ' + str(SHOWN_DIFFERENCES) + ')' if len(result.differ) > SHOWN_DIFFERENCES else ''}:")
        for d in result.differ[:SHOWN_DIFFERENCES]:
            sign = "+" if d.amount > 0 else ""
            out.append(f"  {d.practice} {d.indicator}: published {d.published}, qofrules {d.computed} ({sign}{d.amount})")
            if d.why:
                out.append(f"    qofrules: {d.why}")
    if result.not_computed:
        out.append("")
        out.append("Published but qofrules cannot compute" + (f" (the first {SHOWN_DIFFERENCES})"
                                                              if len(result.not_computed) > SHOWN_DIFFERENCES else "") + ":")
        for d in result.not_computed[:SHOWN_DIFFERENCES]:
            out.append(f"  {d.practice} {d.indicator}: published {d.published}; {d.why}")
    if not result.differ and not result.not_computed:
        out.append("Every published point is what qofrules computes.")
    return "\n".join(out) + "\n"
