"""Evaluation of every practice at once, over columns, in exact whole numbers: the engine's run.

Each indicator is computed for every practice with numpy (:mod:`qofrules.engine.vectorised`, each
value an exact fraction of whole numbers, :mod:`qofrules.engine.ratios`): the points, their
rounding to hundredths (half up) and every payment (rounded points × £ per point × CPI × APDF, to
the penny, half up, :mod:`qofrules.engine.indicator`), in int64 where a bound shows nothing can
overflow and in Python's unbounded integers where one could. No float decides a penny. About
0.12 s for England's 6,410 practices × 76 indicators.

Every cell's rounded points and pence, both sides, are kept (:class:`CellDetail`): a practice's
indicator results (``run --format json``, ``report``, ``diff --impact``, ``--indicators``) are read
from them. A practice looked at in full — a cell with something unknown (what is missing, and
why), a trace (``explain``, ``to_plain(trace=True)``), its top-ups and floors — is the same
evaluation on a data set of that one practice (:func:`~qofrules.engine.exact.evaluate_practice`),
whose totals are checked against the ones made here (results.SummaryPracticeResult).
"""
from __future__ import annotations

from decimal import Decimal

import numpy as np

from .. import ast, eligibility
from ..compiler import EvaluationTree
from ..data.columnar import ColumnarData
from .adjustments import practice_adjustments
from .exact import (Rows, assemble, eligible_and_why, evaluate_practice, indicator_result,
                    refuse_missing_local_measures, run_notes, shown_cpi)
from .indicator import (Price, indicator_columns, no_points, plan_column, practice_choices, price_of,
                        shown_apdf)
from ..jsontext import TEXT_SLOT, VALUE_SLOT, dumps, template as json_template
from ..money import decimal_text, exact, hundredths_text
from ..results import (IndicatorResult, PracticeResult, RunResult, RunTotals, Side as ResultSide,
                       SummaryPracticeResult, known_outcome, indicator_plain, side_plain)
from .vectorised import Col, blend, column, select


class Side:
    """Running totals of one way of paying (scheme or national) for every practice, in whole
    hundredths of a point and whole pence, with whether each is known. Totals are int64 while
    every cell is (a cell of more than 2**40 pence makes them Python integers)."""

    def __init__(self, count: int):
        self.points = np.zeros(count, dtype=np.int64)
        self.pence = np.zeros(count, dtype=np.int64)
        self.points_known = np.ones(count, dtype=bool)
        self.pence_known = np.ones(count, dtype=bool)

    def add(self, col: Col, price: Price, factor_known: np.ndarray):
        """Add one indicator: its points rounded half up to hundredths, then paid to the penny,
        half up. Returns (hundredths, pence), 0 where unknown."""
        known = col.known
        hundredths = np.where(known, col.value.hundredths(), 0)
        paid = known & factor_known
        pence = np.where(paid, price.pence(hundredths), 0)
        self.points = self.points + hundredths
        self.pence = self.pence + pence
        self.points_known &= known
        self.pence_known &= paid
        return hundredths, pence


def evaluate_columns(tree: EvaluationTree, data: ColumnarData, cells: dict | None = None) -> RunResult:
    """Evaluate every practice of a columnar data set (module docstring).

    Given a dict as ``cells``, fills it with each indicator's per-practice figures, as whole
    hundredths of a point and pence (None where unknown): {code: {"national": (points, pence),
    "scheme": (points, pence)}} — for tests that compare every cell with each practice computed alone."""
    eligibility.check_data_has(tree.scheme, data.area_columns, data.attribute_names, data.name, tree.source)
    contract, scheme = tree.contract, tree.scheme
    refuse_missing_local_measures(tree, data.codes(contract.year), data.name)
    notes = run_notes(tree, data.years, data.codes(contract.year))
    count = len(data.practices)
    with exact():
        areas, condition = scheme.areas, scheme.eligibility  # properties that search the header: once
        answers = _answers(scheme, data.practices, areas, condition)
        conditions = {id(plan): np.array([eligibility.evaluate(plan.condition, p).value for p in data.practices],
                                         dtype=bool) for plan in tree.rules if plan.condition is not None}
    eligible = np.array([a for a, _ in answers], dtype=bool)
    requested = np.array([p.requested_alternative for p in data.practices], dtype=bool)
    list_size = np.array([p.list_size for p in data.practices], dtype=np.int64)
    choices = practice_choices(tree, data.practices)
    national_side, scheme_side, local_side = Side(count), Side(count), Side(count)
    floor_sides = [Side(count) for _ in tree.floors]
    prices: dict = {}
    detail = CellDetail(tree, data, answers, requested)
    for code, indicator in contract.indicators.items():
        columns = indicator_columns(tree, data, code, tree.maxima[code], choices)
        national = no_points(count) if indicator.is_local else columns.national
        paid = national
        plans = tree.by_indicator.get(code, ())
        which = np.full(count, -1, dtype=np.int64)  # the rule that pays each practice (-1: national rules)
        for k in range(len(plans) - 1, -1, -1):  # the first rule whose condition holds wins (plan_for)
            plan = plans[k]
            plan_paid = plan_column(tree, plan, columns, data, code, choices, requested)
            if tree.months_run is not None:
                plan_paid = blend(national, plan_paid, tree.months_run)
            mask = conditions.get(id(plan))
            paid = plan_paid if mask is None else select(mask, plan_paid, paid)
            which = np.full(count, k, dtype=np.int64) if mask is None else np.where(mask, k, which)
        paid = select(eligible, paid, national)
        which = np.where(eligible, which, -1)
        pricing = tree.pricing[code]
        if pricing not in prices:
            prices[pricing] = price_of(data, contract, pricing, list_size)
        price, apdf_known = prices[pricing]
        national_factor_known = np.ones(count, dtype=bool) if indicator.is_local else apdf_known
        n_points, n_pence = national_side.add(national, price, national_factor_known)
        s_points, s_pence = scheme_side.add(paid, price, apdf_known)
        if indicator.is_local:
            local_side.add(paid, price, apdf_known)
        else:
            for floor, side in zip(tree.floors, floor_sides):
                side.add(column(floor.node, columns, contract.year), price, apdf_known)
        detail.add(code, (n_points, national.known, n_pence, national.known & national_factor_known),
                   (s_points, paid.known, s_pence, paid.known & apdf_known), which)
    if cells is not None:
        for code in contract.indicators:
            cells[code] = {side: detail.cell_lists(code, side) for side in ("national", "scheme")}
    return assemble(tree, data, *_results(tree, data, national_side, scheme_side, local_side, floor_sides, detail),
                    notes)


def _answers(scheme, practices, areas, condition) -> list[tuple[bool, str]]:
    """Each practice's eligibility and why. Where the scheme names no area and its condition reads
    nothing of a practice (``every practice``: NHS England's national amendments), the answer is
    the same for all of them, and made once."""
    if practices and not areas and all(isinstance(leaf, ast.EveryPractice) for leaf in ast.condition_leaves(condition)):
        return [eligible_and_why(scheme, practices[0], areas, condition)] * len(practices)
    return [eligible_and_why(scheme, p, areas, condition) for p in practices]


def _hundredths(value: int) -> Decimal:
    """Whole hundredths (of a point, or pence as hundredths of a pound) as a practice in full shows
    them: Decimal(value).scaleb(-2)."""
    return Decimal(value).scaleb(-2)


class CellDetail:
    """Every practice × indicator cell as this path computed it — whole hundredths of a point and
    pence, both sides, with whether each is known — and the rule that paid it: what a practice's
    :class:`~qofrules.results.IndicatorResult` holds, without evaluating the practice again.

    A cell with any figure unknown is made by its practice in full (``evaluate_indicator``), the one
    definition of what is missing and why."""

    SIDES = ("national", "scheme")

    def __init__(self, tree: EvaluationTree, data: ColumnarData, answers, requested: np.ndarray):
        self.tree, self.data, self.answers, self.requested = tree, data, answers, requested
        self.cells: dict = {}   # code -> {side: [points, points known, pence, pence known]}
        self.rules: dict = {}   # code -> the index in tree.by_indicator[code] of the rule that paid (-1: none)
        self._rows = None  # practices × cells, made once every cell is final: one row read per practice
        self._rows_in_full = None  # the columns a practice in full reads, made when one is first asked for
        self._static = None
        self._templates: dict = {}  # indentation -> each indicator's JSON template (indicators_json)
        self._cpis: dict[int, Decimal | None] = {}  # list size -> CPI as shown, made when first read
        # set by _results once the run's totals are made:
        self.totals: RunTotals | None = None  # each practice's totals, in whole numbers
        self.missing: np.ndarray | None = None  # whether a practice's figures lack something
        self.has_adjustments = bool(tree.scheme.adjustments)
        self.adjustments: list = [None] * len(answers)  # top-ups and floors the run made with nothing missing

    def cpi(self, i: int) -> Decimal | None:
        """Practice ``i``'s CPI as its result shows it (shown_cpi), made when first read."""
        size = self.data.practices[i].list_size
        if size not in self._cpis:
            with exact():
                self._cpis[size] = shown_cpi(self.tree.contract, size)
        return self._cpis[size]

    def has_missing(self, i: int) -> bool:
        return bool(self.missing[i])

    def add(self, code: str, national, scheme, which: np.ndarray) -> None:
        self.cells[code] = {"national": [np.array(a) for a in national], "scheme": [np.array(a) for a in scheme]}
        self.rules[code] = which

    def cell_lists(self, code: str, side: str) -> tuple[list, list]:
        """(points, pence) of every practice as whole hundredths and pence, None where unknown."""
        points, points_known, pence, pence_known = self.cells[code][side]
        return ([int(v) if k else None for v, k in zip(points.tolist(), points_known.tolist())],
                [int(v) if k else None for v, k in zip(pence.tolist(), pence_known.tolist())])

    def _matrices(self):
        """(values, known, rules): one row per practice — each indicator's national points, pence,
        scheme points, pence — so that a practice's cells are read as one list, not 300 lookups."""
        if self._rows is None:
            codes = list(self.tree.contract.indicators)
            if not codes:  # a year with no QOF (Scotland 2016/17): every practice has no indicator cells
                count = len(self.answers)
                self._rows = (np.zeros((count, 0), dtype=np.int64), np.zeros((count, 0), dtype=bool),
                              np.zeros((count, 0), dtype=np.int64))
                return self._rows
            values = np.stack([self.cells[c][side][k] for c in codes for side in self.SIDES for k in (0, 2)], axis=1)
            known = np.stack([self.cells[c][side][1] & self.cells[c][side][3] for c in codes for side in self.SIDES],
                             axis=1)
            rules = np.stack([self.rules[c] for c in codes], axis=1)
            self._rows = values, known, rules
            self.cells = self.rules = None  # held once, in the rows
        return self._rows

    def _layout(self):
        """Per indicator, what every practice's result shares: code, group, the rules that may
        pay it (title, basis as written, its ``on request`` basis), and its APDF group."""
        if self._static is None:
            tree = self.tree
            self._static = [(code, indicator.group,
                             [(plan.title, plan.pay_text, plan.request_text, plan.on_request is not None)
                              for plan in tree.by_indicator.get(code, ())],
                             tree.pricing[code].prevalence_group)
                            for code, indicator in tree.contract.indicators.items()]
        return self._static

    def _walk(self, i: int):
        """Practice ``i``'s cells in the year's order, the one reading of the rows that both
        :meth:`indicators` and :meth:`plain_indicators` make theirs: for each indicator, either
        ``(IndicatorResult,)`` made in full (a figure unknown),
        or ``(code, group, rule, basis, on_request, apdf, apdf_applies, national points, national
        pence, scheme points, scheme pence)`` in whole hundredths, ``apdf`` a Decimal or None."""
        eligible = self.answers[i][0]
        values, known, rules = (m[i].tolist() for m in self._matrices())
        requested = bool(self.requested[i])
        apdf_cache: dict = {}
        for j, (code, group_code, plans, prevalence_group) in enumerate(self._layout()):
            if not (known[2 * j] and known[2 * j + 1]):
                yield (self._exact(i, code, eligible),)
                continue
            n_points, n_pence, s_points, s_pence = values[4 * j:4 * j + 4]
            k = rules[j]
            if k < 0:  # national rules: the scheme side is the national side
                rule, basis, on_request, s_points, s_pence = None, "national rules", False, n_points, n_pence
            else:
                rule, pay_text, request_text, has_request = plans[k]
                on_request = has_request and requested
                basis = request_text if on_request else pay_text
            if prevalence_group not in apdf_cache:
                apdf_cache[prevalence_group] = shown_apdf(self.data, self.tree.contract, prevalence_group, i)
            yield (code, group_code, rule, basis, on_request, apdf_cache[prevalence_group],
                   prevalence_group is not None, n_points, n_pence, s_points, s_pence)

    def indicators(self, i: int) -> tuple[IndicatorResult, ...]:
        """Practice ``i``'s indicator results, equal to ``evaluate_practice``'s (tests/test_fastpath.py)."""
        out = []
        for cell in self._walk(i):
            if len(cell) == 1:
                out.append(cell[0])
                continue
            code, group, rule, basis, on_request, apdf, applies, n_points, n_pence, s_points, s_pence = cell
            national = ResultSide(known_outcome, _hundredths(n_points), _hundredths(n_pence))
            scheme = national if rule is None else ResultSide(known_outcome, _hundredths(s_points),
                                                               _hundredths(s_pence))
            out.append(IndicatorResult(code, group, rule, basis, on_request, apdf, applies, scheme, national))
        return tuple(out)

    def plain_indicators(self, i: int) -> list[dict]:
        """``[r.to_plain() for r in self.indicators(i)]``, made from the whole numbers without the
        objects between (what ``run --format json`` writes for 487,000 cells); the shape is
        :func:`~qofrules.results.indicator_plain`'s, the one both make."""
        out = []
        texts: dict = {}
        for cell in self._walk(i):
            if len(cell) == 1:
                out.append(cell[0].to_plain())
                continue
            code, group, rule, basis, on_request, apdf, applies, n_points, n_pence, s_points, s_pence = cell
            if apdf not in texts:
                texts[apdf] = decimal_text(apdf)
            out.append(indicator_plain(code, group, rule, basis, on_request, texts[apdf] if applies else None,
                                       side_plain(hundredths_text(s_points), hundredths_text(s_pence)),
                                       side_plain(hundredths_text(n_points), hundredths_text(n_pence))))
        return out

    def indicators_json(self, i: int, prefix: str) -> str:
        """``jsontext.dumps(self.plain_indicators(i), prefix)``, written straight from the whole
        numbers: each cell fills its indicator's template (made once from
        :func:`~qofrules.results.indicator_plain`, the one shape) with its APDF and its four
        figures, each as ``%d.%02d`` of its hundredths. ``run --format json`` writes 487,000 cells
        this way; tests/test_fastpath.py holds it equal to ``dumps``. Points and pence are never
        below zero; a row that had one would be written by ``dumps`` itself."""
        if self._matrices()[0][i].min(initial=0) < 0:
            return dumps(self.plain_indicators(i), prefix)
        inner = prefix + "  "
        templates = self._templates.setdefault(inner, {})
        apdfs: dict = {}
        items = []
        for cell in self._walk(i):
            if len(cell) == 1:
                items.append(dumps(cell[0].to_plain(), inner))
                continue
            shape = cell[:5]
            template = templates.get(shape)
            if template is None:
                template = templates[shape] = json_template(indicator_plain(
                    *shape, VALUE_SLOT, side_plain(TEXT_SLOT, TEXT_SLOT), side_plain(TEXT_SLOT, TEXT_SLOT)),
                    inner, "%d.%02d")
            code, group, rule, basis, on_request, apdf, applies, n_points, n_pence, s_points, s_pence = cell
            if apdf not in apdfs:
                text = decimal_text(apdf)
                apdfs[apdf] = "null" if text is None else dumps(text)
            items.append(template % (apdfs[apdf] if applies else "null",
                                     s_points // 100, s_points % 100, s_pence // 100, s_pence % 100,
                                     n_points // 100, n_points % 100, n_pence // 100, n_pence % 100))
        if not items:
            return "[]"
        return "[\n" + inner + (",\n" + inner).join(items) + "\n" + prefix + "]"

    def pence(self, i: int) -> dict[str, tuple[int | None, int | None, str | None]]:
        """Practice ``i``'s national and scheme payment per indicator in pence (None: unknown) and
        the rule that paid it, equal to ``pence_of(self.indicators(i))`` (tests/test_fastpath.py)
        but read from the rows as whole numbers. Unlike ``indicators`` it does not ask the exact
        path why a figure is unknown: that it is unknown is all a sum or a comparison needs (a
        national diff where a dozen indicators are new to the year would otherwise make 150,000
        exact cells)."""
        values, known, rules = (m[i].tolist() for m in self._matrices())
        out = {}
        for j, (code, _, plans, _) in enumerate(self._layout()):
            national = values[4 * j + 1] if known[2 * j] else None
            k = rules[j]
            if k < 0:
                out[code] = (national, national, None)
            else:
                out[code] = (national, values[4 * j + 3] if known[2 * j + 1] else None, plans[k][0])
        return out

    def practice_result(self, i: int) -> PracticeResult:
        """Practice ``i`` in full: its trace, top-ups and floors, read at its row of the run's own
        columns (kept once computed, so looking at many practices costs little more than one)."""
        with exact():
            return evaluate_practice(self.tree, self.data.practices[i], self._in_full(), i)

    def _exact(self, i: int, code: str, eligible: bool) -> IndicatorResult:
        """Practice ``i``'s result for one indicator in full (a figure unknown: what is missing)."""
        with exact():
            return indicator_result(self._in_full(), code, i, eligible)

    def _in_full(self) -> Rows:
        if self._rows_in_full is None:
            self._rows_in_full = Rows(self.tree, self.data)
        return self._rows_in_full


def _results(tree, data: ColumnarData, national: Side, scheme: Side, local: Side, floor_sides: list,
             cells: CellDetail) -> tuple:
    """Every practice's result, read at its row of the run (:class:`SummaryPracticeResult`), and
    the run's totals in whole numbers (:class:`RunTotals`) that they and the run's sums read."""
    scheme_pence = _whole(scheme.pence, scheme.pence_known)
    scheme_points = _whole(scheme.points, scheme.points_known)
    missing = ~(national.pence_known & scheme.pence_known)
    if tree.scheme.adjustments:
        scheme_pence, cells.adjustments = _adjusted(tree, data, cells.answers, scheme_pence, scheme_points, local,
                                                    floor_sides)
        missing = missing | np.array([p is None for p in scheme_pence], dtype=bool)
    cells.missing = missing
    cells.totals = RunTotals(eligible=[eligible for eligible, _ in cells.answers], scheme_points=scheme_points,
                             scheme_payment=scheme_pence,
                             national_points=_whole(national.points, national.points_known),
                             national_payment=_whole(national.pence, national.pence_known))
    return tuple(SummaryPracticeResult(cells, i) for i in range(len(data.practices))), cells.totals


def _whole(values: np.ndarray, known: np.ndarray) -> list[int | None]:
    """Per practice: the total in whole hundredths (of a point, or pence), None where unknown."""
    return [v if k else None for v, k in zip(values.tolist(), known.tolist())]


def _adjusted(tree, data: ColumnarData, answers, scheme_pence: list, scheme_points: list, local: Side,
              floor_sides: list) -> tuple[list, list]:
    """Each practice's scheme payment in pence with its top-ups and floors (adjustments.py), from
    the totals made here, and those adjustments where nothing they need is missing (what is
    missing is said by the practice in full). Each amount is to the penny, so the sum is too."""
    local_pence = _whole(local.pence, local.pence_known)
    floors = [_whole(side.pence, side.pence_known) for side in floor_sides]
    out, made = [], []
    with exact():
        for i, practice in enumerate(data.practices):
            eligible = answers[i][0]
            paid = scheme_pence[i]
            if not eligible or paid is None:
                out.append(paid)
                made.append(None)
                continue
            national_paid = None if local_pence[i] is None else _hundredths(paid - local_pence[i])
            found = practice_adjustments(tree, practice, eligible, national_paid=national_paid,
                                         scheme_points=_hundredths_or_none(scheme_points[i]),
                                         floor_totals=[(_hundredths_or_none(f[i]), ("a floor's basis",) if f[i] is None
                                                        else ()) for f in floors])
            amounts = [a.payment for a in found]
            out.append(None if any(a is None for a in amounts) else paid + sum(_pence(a) for a in amounts))
            made.append(None if any(a.missing for a in found) else tuple(found))
    return out, made


def _hundredths_or_none(value: int | None) -> Decimal | None:
    return None if value is None else _hundredths(value)


def _pence(amount: Decimal) -> int:
    """An adjustment's amount (to the penny) in whole pence."""
    pence = amount.scaleb(2)
    if pence != pence.to_integral_value():
        raise AssertionError(f"internal error: an adjustment of £{amount} is not to the penny; please report it")
    return int(pence)
