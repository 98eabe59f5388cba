"""Evaluation of every practice at once, over columnar data, in exact whole numbers.

The exact path (:mod:`qofrules.engine.exact`) computes each practice × indicator in Python
fractions, making an object per step: about 35 s for England. Here each indicator is computed for
every practice with numpy (:mod:`qofrules.engine.vectorised`), each value an exact fraction of
whole numbers (:mod:`qofrules.engine.ratios`): the points, their rounding to hundredths (half up)
and every payment (rounded points × £ per point × CPI × APDF, to the penny, half up) are the
exact path's, computed in int64 where a bound shows nothing can overflow and in Python's unbounded
integers where one could. No float decides a penny, so no cell is computed a second time.
tests/test_fastpath.py holds the two paths to equal pennies on a national data set, practice by
practice and indicator by indicator.

Every cell's rounded points and pence, both sides, are kept (:class:`CellDetail`): a practice's
indicator results (``run --format json``, ``report``, ``diff --impact``, ``--indicators``) are read
from them, and only a cell with something unknown is computed again by the exact path, which is
the one place that says what is missing. Traces (``explain``, ``to_plain(trace=True)``) are the
exact path's evaluation of that one practice, checked against the totals made here
(results.SummaryPracticeResult).
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np

from .. import eligibility
from ..compiler import EvaluationTree
from ..data.columnar import ColumnarData
from .adjustments import practice_adjustments
from . import no_cyclic_gc
from .exact import (assemble, eligible_and_why, evaluate_indicator, evaluate_practice, refuse_missing_local_measures,
                    run_notes, shown_cpi)
from ..money import decimal_text, exact, hundredths_text, minus, total
from .nodes import as_decimal_quotient, choice_number, exact_figure
from .ratios import Ratios, half_up_quotient
from ..results import (IndicatorResult, PracticeResult, RunResult, Side as ResultSide, SummaryPracticeResult, known_outcome,
                       indicator_plain, side_plain)
from .vectorised import Columns, blend, choice_attributes, column, national_column


class Side:
    """Running totals of one way of paying (scheme or national) for every practice, in whole
    hundredths of a point and whole pence, with whether each is known. Totals are int64 while
    every cell is (a cell of more than 2**40 pence makes them Python integers)."""

    def __init__(self, count: int):
        self.points = np.zeros(count, dtype=np.int64)
        self.pence = np.zeros(count, dtype=np.int64)
        self.points_known = np.ones(count, dtype=bool)
        self.pence_known = np.ones(count, dtype=bool)

    def add(self, value: Ratios, known: np.ndarray, price: "Price", factor_known: np.ndarray):
        """Add one indicator: its points rounded half up to hundredths, then paid to the penny,
        half up. Returns (hundredths, pence), 0 where unknown."""
        hundredths = np.where(known, value.hundredths(), 0)
        paid = known & factor_known
        pence = np.where(paid, price.pence(hundredths), 0)
        self.points = self.points + hundredths
        self.pence = self.pence + pence
        self.points_known &= known
        self.pence_known &= paid
        return hundredths, pence

    def totals(self, values: np.ndarray, known: np.ndarray) -> list:
        """Per practice: the total as a Decimal of whole hundredths (None where unknown)."""
        return [Decimal(v).scaleb(-2) if k else None for v, k in zip(values.tolist(), known.tolist())]


class Price:
    """What one hundredth of a point pays each practice, in pence, as exact whole-number factors:
    £ per point × CPI × APDF (pricing.py; exact.price_factor) is, in number, pence per hundredth
    of a point, = product(tops) / product(bottoms)."""

    def __init__(self, tops: list, bottoms: list):
        self.tops, self.bottoms = tops, bottoms

    def pence(self, hundredths: np.ndarray) -> np.ndarray:
        return half_up_quotient([hundredths] + self.tops, self.bottoms)


def _price(data: ColumnarData, contract, pricing, list_size: np.ndarray, count: int):
    """(Price, APDF known) per practice for one indicator's pricing: its £ per point, × CPI where
    list size adjusts it, × APDF (practice prevalence over national, exact._apdf) where a group's
    prevalence does."""
    per_point = Fraction(pricing.per_point)
    tops, bottoms = [per_point.numerator], [per_point.denominator]
    if pricing.list_size and contract.average_list_size.value is not None:
        # (no average list size only in a year with no QOF, where no point is priced: shown_cpi)
        average = Fraction(contract.average_list_size.value)
        tops += [average.denominator, list_size]
        bottoms += [average.numerator]
    group_code = pricing.prevalence_group
    if group_code is None:
        return Price(tops, bottoms), np.ones(count, dtype=bool)
    prevalence = data.prevalence.get(contract.year)
    g = prevalence.groups.get(group_code) if prevalence else None
    if g is None:
        return Price(tops, bottoms), np.zeros(count, dtype=bool)
    register, group_list = prevalence.register[:, g], prevalence.list_size[:, g]
    known = ~np.isnan(register) & (np.nan_to_num(group_list) > 0)
    national = exact_figure(contract.groups[group_code].national_prevalence.value)
    tops += [np.where(known, register, 0).astype(np.int64), 100 * national.denominator]
    bottoms += [np.where(known, group_list, 1).astype(np.int64), national.numerator]
    return Price(tops, bottoms), known


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


def evaluate_columns(tree: EvaluationTree, data: ColumnarData, cells: dict | None = None) -> RunResult:
    """Evaluate every practice of a columnar data set (module docstring).

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
    list_size = np.array([p.list_size for p in data.practices], dtype=np.int64)
    choices = {name: np.array([choice_number(p.attributes.get(name, ""), 999) or 0 for p in data.practices])
               for name in choice_attributes(tree)}
    national_side, scheme_side, local_side = Side(count), Side(count), Side(count)
    floor_sides = [Side(count) for _ in tree.floors]
    prices: dict = {}
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
            paid = plan_paid if mask is None else _where(mask, plan_paid, paid)
            which = np.full(count, k, dtype=np.int64) if mask is None else np.where(mask, k, which)
        paid = _where(eligible, paid, national)
        which = np.where(eligible, which, -1)
        pricing = tree.pricing[code]
        if pricing not in prices:
            prices[pricing] = _price(data, contract, pricing, list_size, count)
        price, apdf_known = prices[pricing]
        national_factor_known = np.ones(count, dtype=bool) if indicator.is_local else apdf_known
        n_points, n_pence = national_side.add(*national, price, national_factor_known)
        s_points, s_pence = scheme_side.add(*paid, price, apdf_known)
        if indicator.is_local:
            local_side.add(*paid, price, apdf_known)
        else:
            for floor, side in zip(tree.floors, floor_sides):
                side.add(*column(floor.node, columns, contract.year), price, apdf_known)
        detail.add(code, (n_points, national[1], n_pence, national[1] & national_factor_known),
                   (s_points, paid[1], s_pence, paid[1] & apdf_known), which)
    if cells is not None:
        for code in contract.indicators:
            cells[code] = {side: detail.cell_lists(code, side) for side in ("national", "scheme")}
    return assemble(tree, data, _results(tree, data, answers, cpis, national_side, scheme_side, local_side,
                                         floor_sides, detail), notes)


def _where(mask: np.ndarray, chosen, otherwise):
    """One column (value, known) where ``mask`` holds, another elsewhere."""
    from .ratios import where
    return where(mask, chosen[0], otherwise[0]), np.where(mask, chosen[1], otherwise[1])


def _hundredths(value: int) -> Decimal:
    """Whole hundredths (of a point, or pence as hundredths of a pound) as the exact path shows
    them: Decimal(value).scaleb(-2)."""
    return Decimal(value).scaleb(-2)


class CellDetail:
    """Every practice × indicator cell as this path computed it — whole hundredths of a point and
    pence, both sides, with whether each is known — and the rule that paid it: what a practice's
    :class:`~qofrules.results.IndicatorResult` holds, without evaluating the practice again.

    A cell with any figure unknown is made by the exact path (``evaluate_indicator``), the one
    definition of what is missing and why."""

    SIDES = ("national", "scheme")

    def __init__(self, tree: EvaluationTree, data: ColumnarData, answers, requested: np.ndarray):
        self.tree, self.data, self.answers, self.requested = tree, data, answers, requested
        self.cells: dict = {}   # code -> {side: [points, points known, pence, pence known]}
        self.rules: dict = {}   # code -> the index in tree.by_indicator[code] of the rule that paid (-1: none)
        self._rows = None  # practices × cells, made once every cell is final: one row read per practice
        self._static = None

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
        ``(IndicatorResult,)`` made by the exact path (a figure unknown),
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
        out = {}
        for j, (code, _, plans, _) in enumerate(self._layout()):
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
    return Ratios.constant(Fraction(0), count), np.ones(count, dtype=bool)


def _columns(tree, data, code: str, indicator, maximum, count: int, choices) -> Columns:
    """What the nodes may look at for one indicator, with ``maximum`` as its maximum points (a
    rule's ``points:`` changes it), and this year's achievement computed under that maximum."""
    columns = Columns(count=count, exact_maximum=maximum,
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
        paid = _where(requested, alternative, paid)
    return paid


def _results(tree, data: ColumnarData, answers, cpis, national: Side, scheme: Side, local: Side,
             floor_sides: list, cells: CellDetail) -> tuple:
    scheme_pence = scheme.totals(scheme.pence, scheme.pence_known)
    scheme_points = scheme.totals(scheme.points, scheme.points_known)
    pence = scheme_pence
    has_adjustments = bool(tree.scheme.adjustments)
    if has_adjustments:
        pence = _adjusted(tree, data, answers, scheme_pence, scheme_points, local, floor_sides)
    columns = zip(data.practices, answers, cpis, scheme_points, pence,
                  national.totals(national.points, national.points_known),
                  national.totals(national.pence, national.pence_known),
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
    local_pence = local.totals(local.pence, local.pence_known)
    floors = [side.totals(side.pence, side.pence_known) for side in floor_sides]
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
