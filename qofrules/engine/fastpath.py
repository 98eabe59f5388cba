"""Evaluation of every practice at once, over columnar data — exact to the penny by a referee.

The exact path (:mod:`qofrules.engine.exact`) computes each practice × indicator in exact fractions,
making an object per step: about 35 s for England. Here each indicator is computed for every
practice with numpy (:mod:`qofrules.engine.vectorised`). The national formula, data's own 2-dp points,
full and no points, and the higher or lower of them give exactly rounded hundredths in whole
numbers. The rest — ``average of``, ``N% of``, ``months run`` blends, points with more than 2
decimals, and every payment (rounded points × £ per point × CPI × APDF) — is computed in float64
and rounded with a guard band: a value whose fraction lies within ``GUARD`` of one half, or that is
``LIMIT`` or more, is not trusted, and that practice × indicator cell is computed again by the
exact path (the referee). Every float here is a few operations on values no larger than the
indicator's maximum × 100 (hundredths) or ``LIMIT`` (pence), each input correct to a few parts in
10**16, so its error is below 10**-6 of the last place: far inside the guard. Totals are sums of
integer hundredths and pence, the referee's cells added in Python's unbounded integers.
tests/test_fastpath.py proves equal pennies against the exact path on a national data set, practice
by practice and indicator by indicator.

Every cell's rounded points and pence, both sides, are kept (:class:`CellDetail`): a practice's
indicator results (``run --format json``, ``report``, ``diff --impact``, ``--indicators``) are read
from them, and only a cell with something unknown is computed again by the exact path, which is
the one place that says what is missing. Traces (``explain``, ``to_plain(trace=True)``) are the
exact path's evaluation of that one practice, checked against the totals made here
(results.SummaryPracticeResult).
"""
from __future__ import annotations

from decimal import Decimal

import numpy as np

from .. import eligibility
from ..compiler import EvaluationTree
from ..data.columnar import ColumnarData
from .adjustments import practice_adjustments
from . import no_cyclic_gc
from .exact import (assemble, eligible_and_why, evaluate_indicator, evaluate_practice, floor_cell,
                       refuse_missing_local_measures, run_notes, shown_cpi)
from ..money import decimal_text, exact, hundredths_text, minus, total
from .nodes import as_decimal_quotient, choice_number, exact_figure
from ..results import (IndicatorResult, PracticeResult, RunResult, Side as ResultSide, SummaryPracticeResult, known_outcome,
                       indicator_plain, pence_of, side_plain)
from .vectorised import Columns, blend, choice_attributes, column, national_column

#: Distance from one half (in hundredths of a point, or in pence) within which a float result is
#: not trusted to round as the exact one would.
GUARD = 1e-4
#: Values at or above this (in pence: £10 million) go to the exact path whatever their fraction.
LIMIT = 1e9


class Side:
    """Running totals of one way of paying (scheme or national) for every practice, in integer
    hundredths of a point and integer pence, with whether each is known. Cells the exact path
    decided are added in Python's unbounded integers (``extra``), so no total can overflow."""

    def __init__(self, count: int):
        self.points = np.zeros(count, dtype=np.int64)
        self.pence = np.zeros(count, dtype=np.int64)
        self.points_known = np.ones(count, dtype=bool)
        self.pence_known = np.ones(count, dtype=bool)
        self.extra: dict[int, list[int]] = {}

    def add(self, points: np.ndarray, known: np.ndarray, exact_hundredths: np.ndarray,
            pence_per_hundredth: np.ndarray, factor_known: np.ndarray):
        """Add one indicator. Returns its (hundredths, pence, practices whose rounding is not trusted);
        an untrusted cell adds nothing here: the exact path adds it (``correct``)."""
        hundredths, near_points = round_half_up(points * 100.0)
        exact = ~np.isnan(exact_hundredths)
        hundredths = np.where(exact, exact_hundredths, hundredths).astype(np.int64)
        near_points &= ~exact
        pence, near_pence = round_half_up(hundredths * pence_per_hundredth)
        paid = known & factor_known
        untrusted = (near_points & known) | (near_pence & paid)
        hundredths = np.where(known & ~untrusted, hundredths, 0)
        pence = np.where(paid & ~untrusted, pence, 0)
        self.points += hundredths
        self.pence += pence
        self.points_known &= known
        self.pence_known &= paid
        return hundredths, pence, untrusted

    def correct(self, i: int, side) -> None:
        """Add practice ``i``'s untrusted cell as the exact path computed it (``side``)."""
        extra = self.extra.setdefault(i, [0, 0])
        if side.points is not None:
            extra[0] += int(side.points.scaleb(2))
        if side.payment is not None:
            extra[1] += int(side.payment.scaleb(2))

    def totals(self, values: np.ndarray, known: np.ndarray, which: int) -> list:
        """Per practice: the total as a Decimal of whole hundredths (None where unknown)."""
        out = values.tolist()
        for i, extra in self.extra.items():
            out[i] += extra[which]
        return [Decimal(v).scaleb(-2) if k else None for v, k in zip(out, known.tolist())]


def round_half_up(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(whole numbers, half up; which values lie too near a boundary, or are too large, to trust).
    Values are >= 0; an untrusted value's whole number is 0 (the exact path supplies it)."""
    with np.errstate(invalid="ignore"):
        near = ~(values < LIMIT)
        values = np.where(near, 0.0, values)
        floor = np.floor(values)
        fraction = values - floor
        rounded = (floor + (fraction >= 0.5)).astype(np.int64)
        near |= np.abs(fraction - 0.5) < GUARD
    return rounded, near


def _apdf(data: ColumnarData, contract, group_code: str | None, count: int):
    """(factor, known) per practice: practice prevalence over national (exact._apdf), for the
    group whose prevalence adjusts the indicator's price (None: no APDF)."""
    if group_code is None:
        return np.ones(count), np.ones(count, dtype=bool)
    group = contract.groups[group_code]
    prevalence = data.prevalence.get(contract.year)
    g = prevalence.groups.get(group_code) if prevalence else None
    if g is None:
        return np.zeros(count), np.zeros(count, dtype=bool)
    register, list_size = prevalence.register[:, g], prevalence.list_size[:, g]
    known = ~np.isnan(register)
    with np.errstate(invalid="ignore"):
        factor = (register * 100.0 / list_size) / float(group.national_prevalence.value)
    return np.where(known, factor, 0.0), known


def _measures(data: ColumnarData, code: str, earlier: dict[str, str | None]) -> dict:
    """The indicator's measures per year of data: under ``code`` in the contract year, and in each
    earlier year a basis names under the code ``earlier`` gives (tree.codes_read); none at all for
    a year it is new since, so ``achievement in`` that year is unknown, as on the exact path."""
    found = {}
    for year, columns in data.achievement.items():
        read = earlier.get(year, code)
        j = None if read is None else columns.codes.get(read)
        if j is not None:
            for name, matrix in columns.matrices.items():
                found[year, name] = matrix[j]
            found[year, "points_scale"] = columns.points_scale[j]
    return found


def evaluate_columns(tree: EvaluationTree, data: ColumnarData, cells: dict | None = None) -> tuple[RunResult, int]:
    """Evaluate every practice of a columnar data set (module docstring). Returns the result and
    how many practice × indicator cells the exact path refereed (the benchmarks print it).

    Given a dict as ``cells``, fills it with each indicator's per-practice figures, as whole
    hundredths of a point and pence (None where unknown): {code: {"national": (points, pence),
    "scheme": (points, pence)}} — for tests that compare every cell with the exact path."""
    eligibility.check_data_has(tree.scheme, data.area_columns, data.attribute_names, data.name, tree.source)
    contract, scheme = tree.contract, tree.scheme
    refuse_missing_local_measures(tree, data.codes(contract.year), data.name)
    notes = run_notes(tree, data.years, data.codes(contract.year))
    count = len(data.practices)
    with exact():
        areas, condition = scheme.areas, scheme.eligibility  # properties that search the header: once
        answers = [eligible_and_why(scheme, p, areas, condition) for p in data.practices]
        cpis = [shown_cpi(contract, p.list_size) for p in data.practices]
        conditions = {id(plan): np.array([eligibility.evaluate(plan.condition, p).value for p in data.practices],
                                         dtype=bool) for plan in tree.rules if plan.condition is not None}
    eligible = np.array([a for a, _ in answers], dtype=bool)
    requested = np.array([p.requested_alternative for p in data.practices], dtype=bool)
    list_size = np.array([p.list_size for p in data.practices], dtype=np.float64)
    # no average list size only in a year with no QOF, where no point is priced (shown_cpi)
    cpi = list_size / float(contract.average_list_size.value) if contract.average_list_size.value else list_size
    choices = {name: np.array([choice_number(p.attributes.get(name, ""), 999) or 0 for p in data.practices])
               for name in choice_attributes(tree)}
    national_side, scheme_side, local_side = Side(count), Side(count), Side(count)
    floor_sides = [Side(count) for _ in tree.floors]
    untrusted = []  # (practice, code, national side untrusted?, scheme side untrusted?, floors untrusted)
    factors: dict = {}
    detail = CellDetail(tree, data, answers, requested)
    for code, indicator in contract.indicators.items():
        columns = _columns(tree, data, code, indicator, tree.maxima[code], count, choices)
        achieved = columns.national
        national = _zeros(count) if indicator.is_local else achieved
        paid = national
        plans = tree.by_indicator.get(code, ())
        which = np.full(count, -1, dtype=np.int64)  # the rule that pays each practice (-1: national rules)
        for k in range(len(plans) - 1, -1, -1):  # the first rule whose condition holds wins (plan_for)
            plan = plans[k]
            plan_paid = _plan_column(tree, plan, columns, data, code, indicator, count, choices, requested)
            if tree.months_run is not None:
                plan_paid = blend(national, plan_paid, tree.months_run)
            mask = conditions.get(id(plan))
            paid = plan_paid if mask is None else tuple(np.where(mask, a, b) for a, b in zip(plan_paid, paid))
            which = np.full(count, k, dtype=np.int64) if mask is None else np.where(mask, k, which)
        paid = tuple(np.where(eligible, p, n) for p, n in zip(paid, national))
        which = np.where(eligible, which, -1)
        price = tree.pricing[code]
        if price.prevalence_group not in factors:
            factors[price.prevalence_group] = _apdf(data, contract, price.prevalence_group, count)
        apdf, apdf_known = factors[price.prevalence_group]
        # £ per point is, in number, pence per hundredth of a point.
        per_hundredth = float(price.per_point) * (cpi if price.list_size else 1.0) * apdf
        per_hundredth = per_hundredth * np.ones(count)
        national_factor_known = np.ones(count, dtype=bool) if indicator.is_local else apdf_known
        n_points, n_pence, n_near = national_side.add(*national, per_hundredth, national_factor_known)
        s_points, s_pence, s_near = scheme_side.add(*paid, per_hundredth, apdf_known)
        if indicator.is_local:
            local_side.add(*paid, per_hundredth, apdf_known)
        floor_near = np.zeros(count, dtype=bool)
        if not indicator.is_local:
            for floor, side in zip(tree.floors, floor_sides):
                floor_near |= side.add(*column(floor.node, columns, contract.year), per_hundredth, apdf_known)[2]
        for i in np.flatnonzero(n_near | s_near | floor_near).tolist():
            untrusted.append((i, code, bool(n_near[i]), bool(s_near[i]), bool(floor_near[i])))
        detail.add(code, (n_points, national[1], n_pence, national[1] & national_factor_known),
                   (s_points, paid[1], s_pence, paid[1] & apdf_known), which)
    corrected = _referee(tree, data, answers, untrusted, national_side, scheme_side, local_side, floor_sides)
    for (i, code), exact_cell in corrected.items():
        detail.correct(i, code, exact_cell)
    if cells is not None:
        for code in contract.indicators:
            cells[code] = {side: detail.cell_lists(code, side) for side in ("national", "scheme")}
    result = assemble(tree, data, _results(tree, data, answers, cpis, national_side, scheme_side, local_side,
                                           floor_sides, detail), notes)
    return result, len(untrusted)


def _hundredths(value: int) -> Decimal:
    """Whole hundredths (of a point, or pence as hundredths of a pound) as the exact path shows
    them: Decimal(value).scaleb(-2)."""
    return Decimal(value).scaleb(-2)


class CellDetail:
    """Every practice × indicator cell as this path computed it — whole hundredths of a point and
    pence, both sides, with whether each is known — and the rule that paid it: what a practice's
    :class:`~qofrules.results.IndicatorResult` holds, without evaluating the practice again.

    A cell with any figure unknown is made by the exact path (``evaluate_indicator``), the one
    definition of what is missing and why; so is a cell whose corrected figure does not fit in
    int64 (a referee's value of more than 10**18 pence)."""

    SIDES = ("national", "scheme")

    def __init__(self, tree: EvaluationTree, data: ColumnarData, answers, requested: np.ndarray):
        self.tree, self.data, self.answers, self.requested = tree, data, answers, requested
        self.cells: dict = {}   # code -> {side: [points, points known, pence, pence known]}
        self.rules: dict = {}   # code -> the index in tree.by_indicator[code] of the rule that paid (-1: none)
        self.exact_only: set = set()  # (practice, code) made by the exact path
        self._rows = None  # practices × cells, made once every cell is final: one row read per practice
        self._static = None

    def add(self, code: str, national, scheme, which: np.ndarray) -> None:
        self.cells[code] = {"national": [np.array(a) for a in national], "scheme": [np.array(a) for a in scheme]}
        self.rules[code] = which

    def correct(self, i: int, code: str, exact_cell: dict) -> None:
        """Practice ``i``'s refereed cell, as the exact path computed it."""
        for side in self.SIDES:
            points, points_known, pence, pence_known = self.cells[code][side]
            for values, known, value in ((points, points_known, exact_cell[side][0]),
                                         (pence, pence_known, exact_cell[side][1])):
                if value is not None and not -2 ** 62 < value < 2 ** 62:
                    self.exact_only.add((i, code))
                    continue
                known[i] = value is not None
                values[i] = 0 if value is None else value

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
        ``(IndicatorResult,)`` made by the exact path (a figure unknown, or too large for int64),
        or ``(code, group, rule, basis, on_request, apdf, apdf_applies, national points, national
        pence, scheme points, scheme pence)`` in whole hundredths, ``apdf`` a Decimal or None."""
        eligible = self.answers[i][0]
        values, known, rules = (m[i].tolist() for m in self._matrices())
        requested = bool(self.requested[i])
        apdf_cache: dict = {}
        exact_only = self.exact_only
        for j, (code, group_code, plans, prevalence_group) in enumerate(self._layout()):
            if not (known[2 * j] and known[2 * j + 1]) or (exact_only and (i, code) in exact_only):
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
                apdf_cache[prevalence_group] = self._apdf(i, prevalence_group)
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

    def pence(self, i: int) -> dict[str, tuple[int | None, int | None, str | None]]:
        """Practice ``i``'s national and scheme payment per indicator in pence (None: unknown) and
        the rule that paid it, equal to ``pence_of(self.indicators(i))`` (tests/test_fastpath.py)
        but read from the rows as whole numbers. Unlike ``indicators`` it does not ask the exact
        path why a figure is unknown: that it is unknown is all a sum or a comparison needs (a
        national diff where a dozen indicators are new to the year would otherwise make 150,000
        exact cells)."""
        values, known, rules = (m[i].tolist() for m in self._matrices())
        exact_only = self.exact_only
        out = {}
        for j, (code, _, plans, _) in enumerate(self._layout()):
            if exact_only and (i, code) in exact_only:
                out.update(pence_of((self._exact(i, code, self.answers[i][0]),)))
                continue
            national = values[4 * j + 1] if known[2 * j] else None
            k = rules[j]
            if k < 0:
                out[code] = (national, national, None)
            else:
                out[code] = (national, values[4 * j + 3] if known[2 * j + 1] else None, plans[k][0])
        return out

    def _apdf(self, i: int, group: str | None):
        """The APDF shown for practice ``i`` (exact._apdf), or None (no APDF, or unknown)."""
        if group is None:
            return None
        contract = self.tree.contract
        prevalence = self.data.prevalence.get(contract.year)
        g = prevalence.groups.get(group) if prevalence else None
        if g is None or prevalence.register[i, g] != prevalence.register[i, g]:  # NaN: not given
            return None
        # (register × 100 / list size) / national prevalence p/q, as one quotient of whole numbers
        national = exact_figure(contract.groups[group].national_prevalence.value)
        return as_decimal_quotient(int(prevalence.register[i, g]) * 100 * national.denominator,
                                   int(prevalence.list_size[i, g]) * national.numerator)

    def practice_result(self, i: int) -> PracticeResult:
        """Practice ``i`` on the exact path, whole: its trace, top-ups and floors."""
        with exact():
            return evaluate_practice(self.tree, self.data.practice_in_full(i))

    def _exact(self, i: int, code: str, eligible: bool) -> IndicatorResult:
        with exact():
            practice = self.data.practice_in_full(i, code, self.tree.codes_read(code))
            return evaluate_indicator(self.tree, practice, code, eligible, {})


def _zeros(count: int):
    """The national column of a local indicator: national rules pay nothing for it."""
    return np.zeros(count), np.ones(count, dtype=bool), np.zeros(count)


def _columns(tree, data, code: str, indicator, maximum, count: int, choices) -> Columns:
    """What the nodes may look at for one indicator, with ``maximum`` as its maximum points (a
    rule's ``points:`` changes it), and this year's achievement computed under that maximum."""
    columns = Columns(count=count, maximum=float(maximum), exact_maximum=maximum,
                      measures=_measures(data, code, tree.codes_read(code)), indicator=indicator,
                      zero_denominator=tree.contract.zero_denominator.value, choices=choices)
    columns.national = national_column(columns, indicator, tree.contract.year, tree.contract.zero_denominator.value)
    return columns


def _plan_column(tree, plan, columns: Columns, data, code, indicator, count, choices, requested):
    """One rule's basis for every practice (its ``on request`` basis where the practice asked)."""
    if plan.maximum is not None and plan.maximum != columns.exact_maximum:
        columns = _columns(tree, data, code, indicator, plan.maximum, count, choices)
    paid = column(plan.pay, columns, tree.contract.year)
    if plan.on_request is not None:
        alternative = column(plan.on_request, columns, tree.contract.year)
        paid = tuple(np.where(requested, a, p) for a, p in zip(alternative, paid))
    return paid


def _referee(tree, data: ColumnarData, answers, untrusted, national_side: Side, scheme_side: Side,
             local_side: Side, floor_sides: list) -> dict:
    """Compute each untrusted cell (practice × indicator) by the exact path and correct the totals.
    Returns {(practice, code): {side: (hundredths, pence)}} as the exact path computed them."""
    corrected = {}
    with exact():
        for i, code, national_untrusted, scheme_untrusted, floor_untrusted in untrusted:
            practice = data.practice_in_full(i, code, tree.codes_read(code))
            cell = evaluate_indicator(tree, practice, code, answers[i][0], {})
            if national_untrusted:
                national_side.correct(i, cell.national)
            if scheme_untrusted:
                scheme_side.correct(i, cell.scheme)
                if tree.contract.indicators[code].is_local:
                    local_side.correct(i, cell.scheme)
            if floor_untrusted:
                for floor, side in zip(tree.floors, floor_sides):
                    side.correct(i, floor_cell(tree, practice, code, floor, {}))
            corrected[i, code] = {name: tuple(None if v is None else int(v.scaleb(2)) for v in (side.points, side.payment))
                                  for name, side in (("national", cell.national), ("scheme", cell.scheme))}
    return corrected


def _results(tree, data: ColumnarData, answers, cpis, national: Side, scheme: Side, local: Side,
             floor_sides: list, cells: CellDetail) -> tuple:
    scheme_pence = scheme.totals(scheme.pence, scheme.pence_known, 1)
    scheme_points = scheme.totals(scheme.points, scheme.points_known, 0)
    pence = scheme_pence
    has_adjustments = bool(tree.scheme.adjustments)
    if has_adjustments:
        pence = _adjusted(tree, data, answers, scheme_pence, scheme_points, local, floor_sides)
    columns = zip(data.practices, answers, cpis, scheme_points, pence,
                  national.totals(national.points, national.points_known, 0),
                  national.totals(national.pence, national.pence_known, 1),
                  (~(national.pence_known & scheme.pence_known)).tolist())
    with no_cyclic_gc():
        return tuple(SummaryPracticeResult(
            code=practice.code, name=practice.name, list_size=practice.list_size, eligible=eligible, reason=reason,
            cpi=cpi, scheme_points=s_points, scheme_payment=s_pence, national_points=n_points,
            national_payment=n_pence, has_missing=missing or (has_adjustments and s_pence is None),
            cells=cells, index=i, has_adjustments=has_adjustments and eligible)
            for i, (practice, (eligible, reason), cpi, s_points, s_pence, n_points, n_pence, missing)
            in enumerate(columns))


def _adjusted(tree, data: ColumnarData, answers, scheme_pence: list, scheme_points: list, local: Side,
              floor_sides: list) -> list:
    """Each practice's scheme payment with its top-ups and floors (adjustments.py, the one
    definition both paths call), from the totals made here."""
    local_pence = local.totals(local.pence, local.pence_known, 1)
    floors = [side.totals(side.pence, side.pence_known, 1) for side in floor_sides]
    out = []
    with exact():
        for i, practice in enumerate(data.practices):
            eligible = answers[i][0]
            paid = scheme_pence[i]
            if not eligible or paid is None:
                out.append(paid)
                continue
            national_paid = None if local_pence[i] is None else minus(paid, local_pence[i])
            found = practice_adjustments(tree, practice, eligible, national_paid=national_paid,
                                         scheme_points=scheme_points[i],
                                         floor_totals=[(f[i], ("a floor's basis",) if f[i] is None else ())
                                                       for f in floors])
            amounts = [a.payment for a in found]
            out.append(None if any(a is None for a in amounts) else total([paid] + amounts))
    return out
