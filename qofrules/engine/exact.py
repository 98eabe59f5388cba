"""One practice in full, and what every run shares: eligibility, notes, the run's result.

For each practice: is it in the scheme's area and eligible (with the reason); then for each
indicator of the contract year, the national-rules points and pounds and, for an eligible
practice, the scheme's. An ineligible practice is paid under the national rules, so its scheme
payment equals its national one. docs/evaluation.md states every rule applied here.

A practice in full (:func:`evaluate_practice`: ``explain``, a trace, a cell with something
unknown) is the engine's own evaluation (:mod:`.indicator`, :mod:`.vectorised`) of a data set of
that one practice, each node's outcome read from its column (:mod:`.trace`). A data set the exact
reader read (:func:`evaluate`) is turned into columns and computed by the same engine.
"""
from __future__ import annotations

from decimal import Decimal

import numpy as np

from .. import eligibility
from ..diagnostics import QofError, error
from ..compiler import EvaluationTree
from ..contracts.model import ContractYear
from ..data.model import Dataset, Practice
from .adjustments import practice_adjustments
from .datacolumns import columns_of
from ..data.columnar import ColumnarData
from .indicator import Price, basis_columns, indicator_columns, no_points, practice_choices, price_of, shown_apdf
from ..money import total
from .nodes import ZERO, Outcome, as_decimal_quotient
from ..results import IndicatorResult, PracticeResult, RunResult, RunTotals, Side
from .trace import Row, blend_outcome, national_outcome as trace_national, outcome
from .vectorised import Col, Columns, blend, column

NATIONAL = ("checked", "unchecked")  # figure statuses that come from national sources
SUPPLIED = "supplied"  # a figure given by a --contract-overrides file


def _number(value) -> str:
    """A count of points as written: 107, 12.5 (no exponent, no trailing zeros)."""
    if isinstance(value, Decimal):
        text = f"{value.normalize():f}"
        return text
    return str(value)


def _side(outcome: Outcome, col: Col, i: int, price: Price, apdf_missing: str | None) -> Side:
    """Round the points (2 dp, half up), then pay the rounded points (to the penny, half up): row
    ``i`` of the columns (fastpath.Side.add does the same for every row); ``price`` is row ``i``'s."""
    if outcome.exact is None:
        return Side(outcome, None, None)
    hundredths = col.value.at_row(i).hundredths()
    points = Decimal(int(hundredths[0])).scaleb(-2)
    if apdf_missing is not None:
        return Side(outcome.with_missing(apdf_missing), points, None)
    return Side(outcome, points, Decimal(int(price.pence(hundredths)[0])).scaleb(-2))


def eligible_and_why(scheme, practice: Practice, areas=None, condition=None) -> tuple[bool, str]:
    """Is the practice in the scheme's area and eligible, and the sentence that says why.
    ``areas`` and ``condition``, when given, are the scheme's own, looked up once by a caller
    that asks for many practices."""
    if areas is None:
        areas, condition = scheme.areas, scheme.eligibility
    scope = eligibility.in_scope(practice, areas)
    if not scope.value:
        return False, scope.reason
    if condition is None:
        return True, scope.reason + "; the scheme sets no further condition"
    answer = eligibility.evaluate(condition, practice)
    return answer.value, answer.reason


def shown_cpi(contract: ContractYear, list_size: int) -> Decimal | None:
    """CPI as shown (34 digits, half up), made without Fractions: the run shows it for
    every practice. None in a year with no QOF whose average list size nobody needs (a scheme of
    top-ups alone, compiler.pays_only_beside_abolished_qof)."""
    if contract.average_list_size.value is None:
        return None
    return as_decimal_quotient(list_size, contract.average_list_size.value)


class Rows:
    """Practices of a columnar data set looked at one at a time, in full: each indicator's columns,
    each rule's basis and each price are computed once for every practice of ``data`` (the
    engine's own evaluation) and kept, and a practice's results — with its trace, read from
    those columns — are taken at its row. For one practice alone, ``data`` is a data set of
    that practice (:func:`evaluate_practice`)."""

    def __init__(self, tree: EvaluationTree, data: ColumnarData):
        self.tree, self.data = tree, data
        self.choices = practice_choices(tree, data.practices)
        self.list_size = np.array([p.list_size for p in data.practices], dtype=np.int64)
        self._prices: dict = {}
        self._columns: dict = {}
        self._bases: dict = {}

    def price(self, code: str, i: int):
        """(Price of row ``i``, APDF applies, APDF shown, what is missing for it) of one indicator."""
        pricing = self.tree.pricing[code]
        if pricing not in self._prices:
            self._prices[pricing] = price_of(self.data, self.tree.contract, pricing, self.list_size)
        price, known = self._prices[pricing]
        group = pricing.prevalence_group
        missing = (f"{self.tree.contract.year} prevalence register of group {group}"
                   if group is not None and not known[i] else None)
        return price.at(i), group is not None, shown_apdf(self.data, self.tree.contract, group, i), missing

    def columns(self, code: str, maximum=None) -> Columns:
        maximum = self.tree.maxima[code] if maximum is None else maximum
        if (code, maximum) not in self._columns:
            self._columns[code, maximum] = indicator_columns(self.tree, self.data, code, maximum, self.choices)
        return self._columns[code, maximum]

    def basis(self, node, columns: Columns, i: int) -> tuple[Col, Outcome, Row]:
        """A basis's column (computed once for every practice) and practice ``i``'s outcome of it."""
        key = (id(node), id(columns))
        if key not in self._bases:
            self._bases[key] = node, column(node, columns, self.tree.contract.year)
        col = self._bases[key][1]
        row = Row(columns, i, self.tree.contract.year)
        return col, outcome(node, col, row), row


class _Named:
    """The data set fields a one-practice data set needs and a trace never shows."""

    name, synthetic, notice, years, contract_overrides, origin = "one practice", False, "", (), None, ""
    area_columns = attribute_names = frozenset()


def evaluate_practice(tree: EvaluationTree, practice: Practice, rows: Rows | None = None,
                      i: int = 0) -> PracticeResult:
    """One practice's result, with its trace: row ``i`` of ``rows``, or (without) the practice
    alone. Call inside :func:`qofrules.money.exact`."""
    contract = tree.contract
    rows = Rows(tree, columns_of(_Named(), [practice])) if rows is None else rows
    eligible, reason = eligible_and_why(tree.scheme, practice)
    cpi = shown_cpi(contract, practice.list_size)
    results = tuple(indicator_result(rows, code, i, eligible) for code in contract.indicators)
    adjustments = _adjust(rows, practice, i, eligible, results)
    return PracticeResult(code=practice.code, name=practice.name, list_size=practice.list_size, eligible=eligible,
                          reason=reason, cpi=cpi, indicators=results, adjustments=adjustments)


def local_national_outcome() -> Outcome:
    return Outcome(ZERO, "a local indicator of the scheme: national rules pay nothing for it")


def evaluate_indicator(tree: EvaluationTree, practice: Practice, code: str, eligible: bool) -> IndicatorResult:
    """One indicator of one practice alone, both ways, with its trace. Call inside
    :func:`qofrules.money.exact`."""
    return indicator_result(Rows(tree, columns_of(_Named(), [practice])), code, 0, eligible)


def indicator_result(rows: Rows, code: str, i: int, eligible: bool) -> IndicatorResult:
    """Practice ``i``'s result for one indicator, both ways, with its trace."""
    tree = rows.tree
    practice = rows.data.practices[i]
    contract = tree.contract
    indicator = contract.indicators[code]
    price, applies, apdf, apdf_missing = rows.price(code, i)
    columns = rows.columns(code)
    row = Row(columns, i, contract.year)
    if indicator.is_local:
        national_col, national_outcome = no_points(len(rows.data.practices)), local_national_outcome()
        national = _side(national_outcome, national_col, i, price, None)
    else:
        national_col, national_outcome = columns.national, trace_national(columns.national, row)
        national = _side(national_outcome, national_col, i, price, apdf_missing)
    plan = tree.plan_for(code, practice) if eligible else None
    on_request = False
    if plan is not None:
        node = plan.pay
        if plan.on_request is not None and practice.requested_alternative:
            node, on_request = plan.on_request, True
        col, paid, _ = rows.basis(node, basis_columns(tree, plan, columns, rows.data, code, rows.choices), i)
        if tree.months_run is not None:
            col = blend(national_col, col, tree.months_run)
            paid = blend_outcome(national_outcome, paid, col, row, tree.months_run)
        scheme_side = _side(paid, col, i, price, apdf_missing)
        rule_title = plan.title
        basis = plan.request_text if on_request else plan.pay_text
    else:
        scheme_side, rule_title, basis = national, None, "national rules"
    return IndicatorResult(code=code, group=indicator.group, rule=rule_title, basis=basis, on_request=on_request,
                           apdf=apdf, apdf_applies=applies, scheme=scheme_side, national=national)


def _floor_total(rows: Rows, i: int, floor) -> tuple:
    """(£ a floor's basis pays practice ``i`` over the year's national indicators or None, what was
    missing): each indicator rounded and priced as the scheme's payments are."""
    cells = []
    for code in rows.tree.contract.national_indicators:
        price, _, _, apdf_missing = rows.price(code, i)
        col, found, _ = rows.basis(floor.node, rows.columns(code), i)
        cells.append(_side(found, col, i, price, apdf_missing))
    if any(c.payment is None for c in cells):
        return None, tuple(dict.fromkeys(m for c in cells for m in c.outcome.missing))
    return total(c.payment for c in cells), ()


def _adjust(rows: Rows, practice: Practice, i: int, eligible: bool, results) -> tuple:
    """The practice's top-ups and floors (adjustments.py), from its indicators' results."""
    tree = rows.tree
    if not eligible or not tree.scheme.adjustments:
        return ()
    national = [r.scheme.payment for r in results if not tree.contract.indicators[r.code].is_local]
    points = [r.scheme.points for r in results]
    return practice_adjustments(
        tree, practice, eligible,
        national_paid=None if any(v is None for v in national) else total(national),
        scheme_points=None if any(v is None for v in points) else total(points),
        floor_totals=[_floor_total(rows, i, floor) for floor in tree.floors])


def refuse_missing_local_measures(tree: EvaluationTree, data_codes: set[str], data_name: str) -> None:
    """QE030: a local indicator that no practice in the data reports, located at its definition.
    A practice that lacks it has that payment unknown; a data set that lacks it entirely was not
    made for this scheme, and computing every practice as "unknown" would hide that."""
    locals_ = [local for local in tree.scheme.local_indicators if local.code.text in tree.contract.indicators]
    problems = local_measures_lacking(locals_, tree.contract.year, data_codes, data_name, tree.source)
    if problems:
        raise QofError(problems)


def local_measures_lacking(local_indicators, year: str, data_codes: set[str], data_name: str, source) -> list:
    """QE030, one per local indicator whose code the data gives no ``year`` rows for: what ``run``
    refuses and ``validate --data`` reports."""
    problems = []
    for local in local_indicators:
        code = local.code.text
        if code not in data_codes:
            measure = "REGISTER" if local.measure == "register" else "NUMERATOR and DENOMINATOR"
            problems.append(error("QE030", f"local indicator {code} is measured in the data, but the data set "
                                  f"{data_name} has no {year} figures for {code} (no row under that code with a value)",
                                  source=source,
                                  span=local.code.span,
                                  hint=f"add {measure} rows under INDICATOR_CODE {code} to the {year} "
                                       "achievement file (docs/data-formats.md)"))
    return problems


def run_notes(tree: EvaluationTree, years, data_codes: set[str]) -> list[str]:
    """What a reader of any run's results must be told: an incomplete contract year, replaced
    national figures, data codes the year lacks, years of data the scheme needs and lacks."""
    notes = []
    contract = tree.contract
    if not contract.complete:
        national = contract.national_indicators.values()
        known = sum(i.points.value for i in national if i.points.status in NATIONAL)
        published = contract.published_indicator_count.value
        listed = (f"{contract.listed} indicators" if published is not None
                  else f"{len(contract.national_indicators)} indicators (how many the year has was not found)")
        supplied = sum(i.points.value for i in national if i.points.status == SUPPLIED and i.points.value is not None)
        from_overrides = (f", and {_number(supplied)} more from contract overrides, which are not national figures"
                          if supplied else "")
        total = contract.published_total_points.value
        of_total = f" of the published {total}" if total is not None else ""
        no_total = "" if total is not None else "; the year's published total was not found"
        whole = contract.supplied_indicators
        by_user = (f"; {len(whole)} of the indicators supplied whole by {', '.join(contract.overridden_by)}"
                   if whole else "")
        points = f"{_number(known)}{of_total} points from national sources{from_overrides}{no_total}{by_user}"
        if published is not None and len(contract.national_indicators) >= published:  # made whole by overrides
            notes.append(f"qofrules' data for contract year {contract.key} is incomplete, but with the contract "
                         f"overrides every one of its {published} indicators is listed ({points})")
        else:
            notes.append(f"qofrules' data for contract year {contract.key} is incomplete: it lists {listed} "
                         f"({points}), so these payments cover only those indicators")
    if contract.replaced_national:
        notes.append("WARNING: contract overrides replace national figures: " + "; ".join(contract.replaced_national))
    unknown = sorted(code for code in data_codes if code not in contract.indicators)
    if unknown:
        from ..diagnostics import did_you_mean
        shown = ", ".join(f"{c} ({hint})" if (hint := did_you_mean(c, contract.indicators)) else c
                          for c in unknown[:10])
        notes.append(f"the data's {contract.year} achievement names indicator codes {contract.key} does not "
                     f"have, which are not used: {shown}" + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""))
    notes.extend(unrecorded_code_changes(tree))
    for year in sorted(tree.prior_years):
        if year not in years:
            notes.append(f"the scheme pays on achievement in {year}, but the data set has no {year} achievement "
                         f"file: those bases are missing for every practice")
    if tree.contract.year not in years and tree.contract.national_indicators:
        notes.append(f"the data set has no {tree.contract.year} achievement: national-rules payments, and scheme "
                     f"bases that need this year's achievement, cannot be computed")
    return notes


def unrecorded_code_changes(tree: EvaluationTree) -> list[str]:
    """Say aloud where an earlier year's achievement is read under the contract year's codes only
    because no change is recorded: QOF renumbered indicators in several years (2013/14, 2015/16,
    2019/20 and after), and where qofrules has no sourced mapping a renumbered indicator would be
    missed, or read under another indicator's old code, without this note."""
    notes = []
    for year, lookups in sorted(tree.earlier.items()):
        absent = [code for code, found in lookups.items() if found.absent]
        if absent:
            shown = ", ".join(absent[:12]) + (f" and {len(absent) - 12} more" if len(absent) > 12 else "")
            notes.append(f"{len(absent)} of the {len(lookups)} indicators are not in qofrules' complete list of "
                         f"{year}'s indicators and no code change is recorded ({shown}): new since then, or "
                         f"renumbered without a record, so their achievement in {year} is unknown")
        assumed = [code for code, found in lookups.items()
                   if not found.steps and found.unchanged is None and not found.absent]
        if not assumed:
            continue
        recorded = len(lookups) - len(assumed)
        record = (f"records code changes for {recorded} of them" if recorded else
                  "records no code changes between those years")
        notes.append(f"achievement in {year} is read under the {tree.contract.year} code for {len(assumed)} of the "
                     f"{len(lookups)} indicators: qofrules {record} (docs/contracts.md), so an indicator renumbered "
                     f"between {year} and {tree.contract.year} without a recorded change is not found, or is read "
                     "under another indicator's old code")
    return notes


def evaluate(tree: EvaluationTree, data: Dataset) -> RunResult:
    """Evaluate every practice of ``data``, a data set the exact reader read: its practices as
    columns (datacolumns.py), through the one engine (fastpath.evaluate_columns)."""
    from .fastpath import evaluate_columns
    return evaluate_columns(tree, columns_of(data))


def assemble(tree: EvaluationTree, data, practices: tuple, sums: RunTotals, notes: list[str]) -> RunResult:
    """The run's result from its practices' results and the totals they read."""
    supplied = tuple(sorted({f.source for _, f in tree.contract.figures() if f.status == "supplied"}))
    from ..consistency import denominator_notes
    notes = (list(notes) + eligibility.unmatched_area_notes(tree.scheme, data.practices)
             + eligibility.unrecorded_fact_notes(tree.scheme, data.practices)
             + denominator_notes(data, tree.contract.year))
    return RunResult(scheme_id=tree.scheme.id.text, scheme_title=tree.scheme.title.value, contract=tree.contract.key,
                     dataset=data.name, synthetic=data.synthetic, notice=data.notice, months_run=tree.months_run,
                     supplied_figures=supplied, practices=practices, sums=sums, notes=tuple(notes))
