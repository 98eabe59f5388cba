"""The evaluation tree's basis nodes, for every practice at once: one indicator, all practices.

Each function here is the column form of a node in :mod:`qofrules.engine.nodes` and means exactly
what that node means. A column is a pair ``(value, known)``: the points per practice as exact
fractions (:class:`~qofrules.engine.ratios.Ratios`, unrounded, within 0..maximum) and whether each
could be computed — missing data is never a silent zero here either; where it is not known the
value is 0 and nothing reads it. Every step is exact whole-number arithmetic (docs/evaluation.md,
"How large runs are computed"), so a column's rounding is the exact path's, not an estimate of it.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .nodes import (AchievementNode, AverageNode, ChoiceNode, FixedPointsNode, FullPointsNode, Node, NoPointsNode,
                    OnceLowerPassedNode, PercentNode, PracticeChoiceNode, SumNode, exact_figure)
from .ratios import LIMIT, Ratios, _product, where

ZERO = Fraction(0)


@dataclass
class Columns:
    """What a node may look at for one indicator: the practices' measures for each year of data,
    the indicator's maximum, and the national-rules column once computed."""

    count: int
    exact_maximum: Fraction
    measures: dict  # (year, field) -> float64 column (NaN: not given), or absent when the data lacks it
    national: tuple | None = None
    #: the indicator (its lower threshold), the year's zero-denominator rule and, per attribute a
    #: ``practice choice`` reads, each practice's choice (0: none) — for the bases that need them
    indicator: object = None
    zero_denominator: str | None = None
    choices: dict | None = None

    def measure(self, year: str, name: str) -> np.ndarray:
        found = self.measures.get((year, name))
        return np.full(self.count, np.nan) if found is None else found

    def constant(self, value: Fraction) -> Ratios:
        return Ratios.constant(value, self.count)

    def counts(self, year: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(numerators, denominators, known) of this year as whole numbers (0 where not known)."""
        numerator, denominator = self.measure(year, "numerator"), self.measure(year, "denominator")
        known = ~(np.isnan(numerator) | np.isnan(denominator))
        return (np.where(known, numerator, 0).astype(np.int64), np.where(known, denominator, 0).astype(np.int64),
                known)


def _unknown_as_zero(value: Ratios, known: np.ndarray) -> tuple[Ratios, np.ndarray]:
    return where(known, value, Ratios.constant(ZERO, len(value))), known


def percent_at_least(n: np.ndarray, d: np.ndarray, threshold: Fraction) -> np.ndarray:
    """Whether 100·n/d ≥ ``threshold`` (a percentage), for counts n and d > 0, exactly."""
    return _product([100, n, threshold.denominator], LIMIT) >= _product([threshold.numerator, d], LIMIT)


def percent_at_most(n: np.ndarray, d: np.ndarray, threshold: Fraction) -> np.ndarray:
    return _product([100, n, threshold.denominator], LIMIT) <= _product([threshold.numerator, d], LIMIT)


def national_column(columns: Columns, indicator, year: str, zero_denominator: str):
    """The national formula (nodes.current_achievement), for every practice: register indicators
    score in full; a fraction indicator maximum × (100n/d − L) / (U − L) between its thresholds,
    as one fraction of whole numbers; a zero denominator as the year's rule says."""
    maximum = columns.exact_maximum
    full, none = columns.constant(maximum), columns.constant(ZERO)
    if indicator.is_register:
        known = ~np.isnan(columns.measure(year, "register"))
        return where(known, full, none), known
    n, d, known = columns.counts(year)
    low, high = exact_figure(indicator.lower.value), exact_figure(indicator.upper.value)
    counted = known & (d > 0)
    # Upper first, as nodes.current_achievement: a target (lower = upper) reached pays in full.
    above = counted & percent_at_least(n, d, high)
    below = counted & ~above & percent_at_most(n, d, low)
    between = counted & ~above & ~below
    gap = _product([100, n, low.denominator], LIMIT) - _product([low.numerator, d], LIMIT)
    top = _product([maximum.numerator, np.where(between, gap, 0), high.denominator], LIMIT)
    width = high.numerator * low.denominator - low.numerator * high.denominator
    bottom = _product([maximum.denominator * width, np.where(between, d, 1)], LIMIT)
    value = where(between, Ratios(top, bottom).reduced(), none)
    value = where(above, full, value)
    zero_points = full if zero_denominator == "full-points" else none
    value = where(known & (d == 0), zero_points, value)
    return value, known


def _achievement(node: AchievementNode, columns: Columns, year: str):
    """An earlier year's achieved points as the data wrote them (at most 14 digits: the reader's
    bound, so the float read and its decimal places give the written value exactly), capped."""
    if node.year is None:
        return columns.national
    achieved = columns.measure(node.year, "achieved_points")
    known = ~np.isnan(achieved)
    places = columns.measures.get((node.year, "points_scale"))
    places = np.zeros(columns.count, dtype=np.int64) if places is None else places.astype(np.int64)
    scale = 10 ** places
    top = np.rint(np.where(known, achieved, 0.0) * scale).astype(np.int64)
    value = Ratios(top, scale).reduced().at_least_zero().at_most(columns.exact_maximum)
    return _unknown_as_zero(value, known)


def _full(node, columns: Columns, year: str):
    return columns.constant(columns.exact_maximum), np.ones(columns.count, dtype=bool)


def _none(node, columns: Columns, year: str):
    return columns.constant(ZERO), np.ones(columns.count, dtype=bool)


def _fixed(node: FixedPointsNode, columns: Columns, year: str):
    value = min(max(Fraction(node.points), ZERO), columns.exact_maximum)
    return columns.constant(value), np.ones(columns.count, dtype=bool)


def _choice(node: ChoiceNode, columns: Columns, year: str):
    """Best (or worst) of the candidates that could be computed, the first where several tie;
    unknown only if none could."""
    candidates = [column(item, columns, year) for item in node.items]
    best, best_known = candidates[0]
    for value, known in candidates[1:]:
        wins = value.greater(best) if node.highest else value.less(best)
        better = known & (~best_known | wins)
        best, best_known = where(better, value, best), best_known | known
    return best, best_known


def _all_known(candidates) -> np.ndarray:
    return np.logical_and.reduce([known for _, known in candidates])


def _added(candidates) -> Ratios:
    total = candidates[0][0]
    for value, _ in candidates[1:]:
        total = total.plus(value)
    return total


def _average(node: AverageNode, columns: Columns, year: str):
    """Every candidate is needed."""
    candidates = [column(item, columns, year) for item in node.items]
    return _unknown_as_zero(_added(candidates).times(Fraction(1, len(candidates))), _all_known(candidates))


def _percent(node: PercentNode, columns: Columns, year: str):
    value, known = column(node.item, columns, year)
    scaled = value.times(Fraction(node.percent) / 100).at_least_zero().at_most(columns.exact_maximum)
    return scaled, known


def _sum(node: SumNode, columns: Columns, year: str):
    """Every candidate is needed; the sum is capped at the maximum."""
    candidates = [column(item, columns, year) for item in node.items]
    return _unknown_as_zero(_added(candidates).at_most(columns.exact_maximum), _all_known(candidates))


def _once_lower_passed(node: OnceLowerPassedNode, columns: Columns, year: str):
    """N points (capped) where achievement is above the lower threshold (nodes.percent_above)."""
    paid = min(Fraction(node.points), columns.exact_maximum)
    if not columns.indicator.is_fraction:  # no lower threshold: unknown, as on the exact path
        return columns.constant(ZERO), np.zeros(columns.count, dtype=bool)
    n, d, known = columns.counts(year)
    lower = exact_figure(columns.indicator.lower.value)
    passed = ~percent_at_most(n, d, lower)
    passed = np.where(d == 0, columns.zero_denominator == "full-points", passed)
    return where(known & passed, columns.constant(paid), columns.constant(ZERO)), known


def _practice_choice(node: PracticeChoiceNode, columns: Columns, year: str):
    """The chosen candidate's column, practice by practice; unknown where no choice is recorded."""
    chosen = columns.choices[node.attribute.lower()]
    value, known = columns.constant(ZERO), np.zeros(columns.count, dtype=bool)
    for number, item in enumerate(node.items, start=1):
        mine = chosen == number
        if mine.any():
            candidate, candidate_known = column(item, columns, year)
            value, known = where(mine, candidate, value), np.where(mine, candidate_known, known)
    return _unknown_as_zero(value, known)


COLUMN_FORMS = {AchievementNode: _achievement, FullPointsNode: _full, NoPointsNode: _none,
                FixedPointsNode: _fixed, ChoiceNode: _choice, AverageNode: _average, PercentNode: _percent,
                SumNode: _sum, OnceLowerPassedNode: _once_lower_passed, PracticeChoiceNode: _practice_choice}


def choice_attributes(tree) -> set[str]:
    """The attributes (lower-cased) every ``practice choice`` in the scheme reads."""
    found = set()
    for plan in tree.rules:
        for node in (plan.pay, plan.on_request):
            found |= _choices_in(node)
    for floor in tree.floors:
        found |= _choices_in(floor.node)
    return found


def _choices_in(node) -> set[str]:
    if node is None:
        return set()
    here = {node.attribute.lower()} if isinstance(node, PracticeChoiceNode) else set()
    for child in getattr(node, "items", ()):
        here |= _choices_in(child)
    if isinstance(node, PercentNode):
        here |= _choices_in(node.item)
    return here


def column(node: Node, columns: Columns, year: str):
    """``(value, known)`` of ``node`` for every practice."""
    return COLUMN_FORMS[type(node)](node, columns, year)


def blend(national, scheme, months: int):
    """``pays for: months run`` (exact._blend): both are needed."""
    (n_value, n_known), (s_value, s_known) = national, scheme
    value = n_value.times(Fraction(12 - months, 12)).plus(s_value.times(Fraction(months, 12)))
    return _unknown_as_zero(value, n_known & s_known)
