"""Evaluation of every practice at once, over columnar data — exact to the penny by a referee.

The exact path (:mod:`qofrules.evaluate`) computes each practice × indicator in Decimal, making
an object per step: about 14 s for England. Here each indicator is computed for every practice
with numpy in float64 (:mod:`qofrules.vectorised`), and rounded to hundredths of a point and to
pennies with a guard band: a value whose fraction lies within ``GUARD`` of one half (or that is
too large for the bound below) is not trusted, and its practice is computed again, whole, by the
exact path. Every other value is at least ``GUARD`` away from a rounding boundary, far more than
float64's error on these few operations (under 1e-6 of a penny for any payment under £10 million
per indicator), so it rounds exactly as the Decimal path rounds it. Totals are sums of integer
hundredths and pence, then Decimal. tests/test_fastpath.py proves equal pennies against the
exact path on a national data set, practice by practice and indicator by indicator.

A practice's indicator detail (``run --format json``, ``explain``) is made on demand by the exact
path, and checked against the totals made here (results.SummaryPracticeResult).
"""
from __future__ import annotations

from decimal import Decimal

import numpy as np

from . import eligibility
from .compiler import EvaluationTree
from .data.columnar import ColumnarData
from .evaluate import (_no_cyclic_gc, assemble, eligible_and_why, evaluate_indicator, evaluate_practice,
                       pound_factors, run_notes, shown_cpi)
from .money import exact
from .results import RunResult, SummaryPracticeResult
from .vectorised import Columns, blend, column, national_column

#: Distance from one half (in hundredths of a point, or in pence) within which a float result is
#: not trusted to round as the exact one would.
GUARD = 1e-4
#: Values at or above this (in pence: £10 million) go to the exact path whatever their fraction.
LIMIT = 1e9


class Side:
    """Running totals of one way of paying (scheme or national) for every practice, in integer
    hundredths of a point and integer pence, with whether each is known."""

    def __init__(self, count: int):
        self.points = np.zeros(count, dtype=np.int64)
        self.pence = np.zeros(count, dtype=np.int64)
        self.points_known = np.ones(count, dtype=bool)
        self.pence_known = np.ones(count, dtype=bool)

    def add(self, points: np.ndarray, known: np.ndarray, exact_hundredths: np.ndarray,
            pence_per_hundredth: np.ndarray, factor_known: np.ndarray):
        """Add one indicator. Returns its (hundredths, pence, practices whose rounding is not trusted)."""
        hundredths, near_points = round_half_up(points * 100.0)
        exact = ~np.isnan(exact_hundredths)
        hundredths = np.where(exact, exact_hundredths, hundredths).astype(np.int64)
        near_points &= ~exact
        pence, near_pence = round_half_up(hundredths * pence_per_hundredth)
        paid = known & factor_known
        hundredths, pence = np.where(known, hundredths, 0), np.where(paid, pence, 0)
        self.points += hundredths
        self.pence += pence
        self.points_known &= known
        self.pence_known &= paid
        return hundredths, pence, (near_points & known) | (near_pence & paid)

    def correct(self, i: int, added: tuple[int, int], side) -> None:
        """Replace practice ``i``'s untrusted (hundredths, pence) by the exact path's ``side``."""
        if side.points is not None:
            self.points[i] += int(side.points.scaleb(2)) - added[0]
        if side.payment is not None:
            self.pence[i] += int(side.payment.scaleb(2)) - added[1]


def round_half_up(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(whole numbers, half up; which values lie too near a boundary to trust). Values are >= 0."""
    with np.errstate(invalid="ignore"):
        floor = np.floor(values)
        fraction = values - floor
        rounded = (floor + (fraction >= 0.5)).astype(np.int64)
        near = (np.abs(fraction - 0.5) < GUARD) | ~(values < LIMIT)
    return rounded, near


def _apdf(data: ColumnarData, contract, group_code: str, count: int):
    """(factor, known) per practice: practice prevalence over national (evaluate._apdf)."""
    group = contract.groups[group_code]
    if not group.prevalence_adjusted:
        return np.ones(count), np.ones(count, dtype=bool)
    prevalence = data.prevalence.get(contract.year)
    g = prevalence.groups.get(group_code) if prevalence else None
    if g is None:
        return np.zeros(count), np.zeros(count, dtype=bool)
    register, list_size = prevalence.register[:, g], prevalence.list_size[:, g]
    known = ~np.isnan(register)
    with np.errstate(invalid="ignore"):
        factor = (register * 100.0 / list_size) / float(group.national_prevalence.value)
    return np.where(known, factor, 0.0), known


def _measures(data: ColumnarData, code: str) -> dict:
    found = {}
    for year, columns in data.achievement.items():
        j = columns.codes.get(code)
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
    eligibility.check_data_has(tree.scheme, data.area_columns, data.attribute_names, data.name)
    contract, scheme = tree.contract, tree.scheme
    notes = run_notes(tree, data.years, data.codes(contract.year))
    count = len(data.practices)
    with exact():
        areas, condition = scheme.areas, scheme.eligibility  # properties that search the header: once
        answers = [eligible_and_why(scheme, p, areas, condition) for p in data.practices]
        cpis = [shown_cpi(contract, p.list_size) for p in data.practices]
    eligible = np.array([a for a, _ in answers], dtype=bool)
    requested = np.array([p.requested_alternative for p in data.practices], dtype=bool)
    list_size = np.array([p.list_size for p in data.practices], dtype=np.float64)
    pence_per_hundredth = float(contract.point_value.value) * (list_size / float(contract.average_list_size.value))
    national_side, scheme_side = Side(count), Side(count)
    untrusted = []  # (practice, code, national (hundredths, pence), scheme (hundredths, pence))
    factors: dict[str, tuple] = {}
    for code, indicator in contract.indicators.items():
        columns = Columns(count=count, maximum=float(tree.maxima[code]), measures=_measures(data, code))
        national = columns.national = national_column(columns, indicator, contract.year,
                                                      contract.zero_denominator.value)
        plan = tree.by_indicator.get(code)
        if plan is None:
            paid = national
        else:
            paid = column(plan.pay, columns, contract.year)
            if plan.on_request is not None:
                alternative = column(plan.on_request, columns, contract.year)
                paid = tuple(np.where(requested, a, p) for a, p in zip(alternative, paid))
            if tree.months_run is not None:
                paid = blend(national, paid, tree.months_run)
            paid = tuple(np.where(eligible, p, n) for p, n in zip(paid, national))
        if indicator.group not in factors:
            factors[indicator.group] = _apdf(data, contract, indicator.group, count)
        apdf, apdf_known = factors[indicator.group]
        per_hundredth = pence_per_hundredth * apdf
        n_points, n_pence, n_near = national_side.add(*national, per_hundredth, apdf_known)
        s_points, s_pence, s_near = scheme_side.add(*paid, per_hundredth, apdf_known)
        for i in np.flatnonzero(n_near | s_near).tolist():
            untrusted.append((i, code, (int(n_points[i]), int(n_pence[i])), (int(s_points[i]), int(s_pence[i]))))
        if cells is not None:
            cells[code] = {
                "national": _cell_values(n_points, national[1], n_pence, national[1] & apdf_known),
                "scheme": _cell_values(s_points, paid[1], s_pence, paid[1] & apdf_known)}
    corrected = _referee(tree, data, answers, untrusted, national_side, scheme_side)
    if cells is not None:
        for (i, code), exact_cell in corrected.items():
            for side in ("national", "scheme"):
                points, pence = cells[code][side]
                points[i], pence[i] = exact_cell[side]
    result = assemble(tree, data, _results(tree, data, answers, cpis, national_side, scheme_side), notes)
    return result, len(untrusted)


def _cell_values(points, points_known, pence, pence_known) -> tuple[list, list]:
    return ([int(v) if k else None for v, k in zip(points.tolist(), points_known.tolist())],
            [int(v) if k else None for v, k in zip(pence.tolist(), pence_known.tolist())])


def _referee(tree, data: ColumnarData, answers, untrusted, national_side: Side, scheme_side: Side) -> dict:
    """Compute each untrusted cell (practice × indicator) by the exact path and correct the totals.
    Returns {(practice, code): {side: (hundredths, pence)}} as the exact path computed them."""
    contract = tree.contract
    corrected = {}
    with exact():
        for i, code, national_added, scheme_added in untrusted:
            practice = data.practice_in_full(i, code)
            _, base_factor = pound_factors(contract, practice.list_size)
            cell = evaluate_indicator(tree, practice, code, answers[i][0], base_factor, {})
            national_side.correct(i, national_added, cell.national)
            scheme_side.correct(i, scheme_added, cell.scheme)
            corrected[i, code] = {name: tuple(None if v is None else int(v.scaleb(2)) for v in (side.points, side.payment))
                                  for name, side in (("national", cell.national), ("scheme", cell.scheme))}
    return corrected


def _decimals(values: np.ndarray, known: np.ndarray) -> list:
    """Whole hundredths as Decimals with 2 places (None where unknown); lists first, since
    indexing a NumPy array one element at a time costs more than the Decimal."""
    return [Decimal(v).scaleb(-2) if k else None for v, k in zip(values.tolist(), known.tolist())]


def _results(tree, data: ColumnarData, answers, cpis, national: Side, scheme: Side) -> tuple:
    def detail(i: int):
        def make():
            with exact():
                return evaluate_practice(tree, data.practice_in_full(i))
        return make

    columns = zip(data.practices, answers, cpis, _decimals(scheme.points, scheme.points_known),
                  _decimals(scheme.pence, scheme.pence_known), _decimals(national.points, national.points_known),
                  _decimals(national.pence, national.pence_known),
                  (~(national.pence_known & scheme.pence_known)).tolist())
    with _no_cyclic_gc():
        return tuple(SummaryPracticeResult(
            code=practice.code, name=practice.name, list_size=practice.list_size, eligible=eligible, reason=reason,
            cpi=cpi, scheme_points=s_points, scheme_payment=s_pence, national_points=n_points,
            national_payment=n_pence, has_missing=missing, detail=detail(i))
            for i, (practice, (eligible, reason), cpi, s_points, s_pence, n_points, n_pence, missing)
            in enumerate(columns))
