"""The evaluation tree's basis nodes, for every practice at once: one indicator, all practices.

Each function here is the column form of a node in :mod:`qofrules.engine.nodes` and must mean exactly
what that node means; the exact node is the definition and this is a fast way of computing it.
A column is a triple ``(points, known, hundredths)``: float64 points per practice (unrounded,
within 0..maximum), whether each could be computed — missing data is never a silent zero here
either — and, where it is known exactly, the points rounded to hundredths (half up), else NaN.
Exact hundredths come from whole-number arithmetic (the national formula with whole thresholds,
data's own 2-dp points, full or no points) and survive ``higher of``/``lower of`` because
rounding is monotone. Where they are NaN, :mod:`qofrules.engine.fastpath` rounds the float with a guard
band and sends any value near a rounding boundary to the exact path (docs/evaluation.md, "How
large runs are computed").
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..money import half_up
from .nodes import (AchievementNode, AverageNode, ChoiceNode, FixedPointsNode, FullPointsNode, Node, NoPointsNode,
                    OnceLowerPassedNode, PercentNode, PracticeChoiceNode, SumNode, exact_figure, percent_above)


@dataclass
class Columns:
    """What a node may look at for one indicator: the practices' measures for each year of data,
    the indicator's maximum, and the national-rules column once computed."""

    count: int
    maximum: float
    exact_maximum: Fraction
    measures: dict  # (year, field) -> float64 column (NaN: not given), or absent when the data lacks it
    national: tuple[np.ndarray, np.ndarray] | None = None
    #: the indicator (its lower threshold), the year's zero-denominator rule and, per attribute a
    #: ``practice choice`` reads, each practice's choice (0: none) — for the bases that need them
    indicator: object = None
    zero_denominator: str | None = None
    choices: dict | None = None

    def measure(self, year: str, name: str) -> np.ndarray:
        found = self.measures.get((year, name))
        return np.full(self.count, np.nan) if found is None else found


def _unknown_hundredths(count: int) -> np.ndarray:
    return np.full(count, np.nan)


def _hundredths_of(value: Fraction) -> float:
    """⌊100·value + ½⌋ of an exact value (≥ 0), as the float the columns hold."""
    return float(half_up(100 * value.numerator, value.denominator))


def national_column(columns: Columns, indicator, year: str, zero_denominator: str):
    """The national formula (nodes.current_achievement), for every practice, in whole numbers.

    maximum × (100n/d − L) / (U − L) is one fraction top/bottom of whole numbers (L, U and the
    maximum being exact fractions of the contract's figures); comparisons with the thresholds and
    the rounded hundredths are computed in int64 from it, so they are exact, and the unrounded
    points (which ``average of`` and the like use) are one float division of the two, accurate to
    a few parts in 10**16 however close the thresholds. Where int64 could overflow (absurd counts
    or figures), each cell is computed with Python's exact fractions instead."""
    maximum, exact_max = columns.maximum, columns.exact_maximum
    full_hundredths = _hundredths_of(exact_max)
    if indicator.is_register:
        known = ~np.isnan(columns.measure(year, "register"))
        return np.where(known, maximum, 0.0), known, np.full(columns.count, full_hundredths)
    numerator, denominator = columns.measure(year, "numerator"), columns.measure(year, "denominator")
    known = ~(np.isnan(numerator) | np.isnan(denominator))
    low, high = exact_figure(indicator.lower.value), exact_figure(indicator.upper.value)
    zero_points = exact_max if zero_denominator == "full-points" else Fraction(0)
    counted = known & (denominator > 0)
    n_max = int(np.max(numerator, where=counted, initial=0))
    d_max = int(np.max(denominator, where=counted, initial=1))
    # The largest magnitude any step below reaches, in Python's unbounded integers.
    steps = (100 * n_max * max(low.denominator, high.denominator) + max(abs(low.numerator), abs(high.numerator)) * d_max)
    top_bound = abs(exact_max.numerator) * steps * high.denominator
    bottom_bound = exact_max.denominator * d_max * (abs(high.numerator) * low.denominator + abs(low.numerator) * high.denominator)
    if max(200 * top_bound + bottom_bound, 2 * bottom_bound, steps) < 2 ** 62:
        points, hundredths = _national_int64(numerator, denominator, counted, exact_max, low, high)
    else:
        points, hundredths = _national_fractions(numerator, denominator, counted, exact_max, low, high)
    zero = known & (denominator == 0)
    points = np.where(zero, float(zero_points), points)
    hundredths = np.where(zero, _hundredths_of(zero_points), hundredths)
    return np.where(known, points, 0.0), known, np.where(known, hundredths, np.nan)


def _national_int64(numerator, denominator, counted, exact_max: Fraction, low: Fraction, high: Fraction):
    n = np.where(counted, numerator, 0).astype(np.int64)
    d = np.where(counted, denominator, 1).astype(np.int64)
    below = 100 * n * low.denominator <= low.numerator * d
    above = 100 * n * high.denominator >= high.numerator * d
    top = exact_max.numerator * (100 * n * low.denominator - low.numerator * d) * high.denominator
    bottom = exact_max.denominator * d * (high.numerator * low.denominator - low.numerator * high.denominator)
    between = ~(below | above)
    safe_bottom = np.where(between, bottom, 1)
    # Upper first, as nodes.current_achievement: a target (lower = upper) reached pays in full.
    points = np.where(above, float(exact_max), np.where(below, 0.0, top / safe_bottom))
    rounded = np.floor_divide(np.where(between, 200 * top + bottom, 0), 2 * safe_bottom).astype(np.float64)
    hundredths = np.where(above, _hundredths_of(exact_max), np.where(below, 0.0, rounded))
    return points, hundredths


def _national_fractions(numerator, denominator, counted, exact_max: Fraction, low: Fraction, high: Fraction):
    points, hundredths = np.zeros(len(numerator)), np.zeros(len(numerator))
    for i in np.flatnonzero(counted).tolist():
        percent = Fraction(int(numerator[i]) * 100, int(denominator[i]))
        value = (exact_max if percent >= high else Fraction(0) if percent <= low
                 else exact_max * (percent - low) / (high - low))
        points[i], hundredths[i] = float(value), _hundredths_of(value)
    return points, hundredths


def _achievement(node: AchievementNode, columns: Columns, year: str):
    if node.year is None:
        return columns.national
    achieved = columns.measure(node.year, "achieved_points")
    known = ~np.isnan(achieved)
    points = np.where(known, np.minimum(np.maximum(achieved, 0.0), columns.maximum), 0.0)
    places = columns.measures.get((node.year, "points_scale"))
    two_places = places <= 2 if places is not None else np.zeros(columns.count, dtype=bool)
    hundredths = np.where(two_places, np.rint(points * 100.0), np.nan)  # the data's own 2-dp value
    return points, known, hundredths


def _full(node, columns: Columns, year: str):
    return (np.full(columns.count, columns.maximum), np.ones(columns.count, dtype=bool),
            np.full(columns.count, _hundredths_of(columns.exact_maximum)))


def _none(node, columns: Columns, year: str):
    return np.zeros(columns.count), np.ones(columns.count, dtype=bool), np.zeros(columns.count)


def _fixed(node: FixedPointsNode, columns: Columns, year: str):
    value = min(max(float(node.points), 0.0), columns.maximum)
    exact = node.points.as_tuple().exponent >= -2 and value == float(node.points)
    return (np.full(columns.count, value), np.ones(columns.count, dtype=bool),
            np.full(columns.count, round(value * 100.0) if exact else np.nan))


def _choice(node: ChoiceNode, columns: Columns, year: str):
    """Best (or worst) of the candidates that could be computed; unknown only if none could.
    Rounding is monotone, so the best's hundredths are the best of the candidates' hundredths
    (NaN, not exact, if any computable candidate's are not exact)."""
    candidates = [column(item, columns, year) for item in node.items]
    worst = -np.inf if node.highest else np.inf
    known = np.logical_or.reduce([k for _, k, _ in candidates])
    stacked = np.stack([np.where(k, p, worst) for p, k, _ in candidates])
    hundredths = np.stack([np.where(k, h, worst) for _, k, h in candidates])
    pick = np.max if node.highest else np.min
    best, best_hundredths = pick(stacked, axis=0), pick(hundredths, axis=0)  # NaN propagates
    return np.where(known, best, 0.0), known, np.where(known, best_hundredths, np.nan)


def _average(node: AverageNode, columns: Columns, year: str):
    """Every candidate is needed."""
    candidates = [column(item, columns, year) for item in node.items]
    known = np.logical_and.reduce([k for _, k, _ in candidates])
    total = np.sum([p for p, _, _ in candidates], axis=0)
    return np.where(known, total / len(candidates), 0.0), known, _unknown_hundredths(columns.count)


def _percent(node: PercentNode, columns: Columns, year: str):
    points, known, _ = column(node.item, columns, year)
    scaled = np.minimum(np.maximum(points * float(node.percent) / 100.0, 0.0), columns.maximum)
    return np.where(known, scaled, 0.0), known, _unknown_hundredths(columns.count)


def _sum(node: SumNode, columns: Columns, year: str):
    """Every candidate is needed; the sum is capped at the maximum."""
    candidates = [column(item, columns, year) for item in node.items]
    known = np.logical_and.reduce([k for _, k, _ in candidates])
    total = np.minimum(np.sum([p for p, _, _ in candidates], axis=0), columns.maximum)
    return np.where(known, total, 0.0), known, _unknown_hundredths(columns.count)


def _once_lower_passed(node: OnceLowerPassedNode, columns: Columns, year: str):
    """N points (capped) where achievement is above the lower threshold: the comparison made per
    practice with nodes.percent_above, in whole numbers, so it is exact however large the counts."""
    paid = min(Fraction(node.points), columns.exact_maximum)
    if not columns.indicator.is_fraction:  # no lower threshold: unknown, as on the exact path
        return np.zeros(columns.count), np.zeros(columns.count, dtype=bool), _unknown_hundredths(columns.count)
    numerator, denominator = columns.measure(year, "numerator"), columns.measure(year, "denominator")
    known = ~(np.isnan(numerator) | np.isnan(denominator))
    lower = exact_figure(columns.indicator.lower.value)
    zero_pays = columns.zero_denominator == "full-points"
    passed = np.zeros(columns.count, dtype=bool)
    for i in np.flatnonzero(known).tolist():
        n, d = int(numerator[i]), int(denominator[i])
        passed[i] = zero_pays if d == 0 else percent_above(n, d, lower)
    points = np.where(known & passed, float(paid), 0.0)
    hundredths = np.where(known & passed, _hundredths_of(paid), 0.0)
    return points, known, np.where(known, hundredths, np.nan)


def _practice_choice(node: PracticeChoiceNode, columns: Columns, year: str):
    """The chosen candidate's column, practice by practice; unknown where no choice is recorded."""
    chosen = columns.choices[node.attribute.lower()]
    candidates = [column(item, columns, year) for item in node.items]
    points, known = np.zeros(columns.count), np.zeros(columns.count, dtype=bool)
    hundredths = np.full(columns.count, np.nan)
    for number, (p, k, h) in enumerate(candidates, start=1):
        mine = chosen == number
        points, known, hundredths = np.where(mine, p, points), np.where(mine, k, known), np.where(mine, h, hundredths)
    return np.where(known, points, 0.0), known, np.where(known, hundredths, np.nan)


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
    """``(points, known)`` of ``node`` for every practice."""
    return COLUMN_FORMS[type(node)](node, columns, year)


def blend(national, scheme, months: int):
    """``pays for: months run`` (evaluate._blend): both are needed."""
    (n_points, n_known, _), (s_points, s_known, _) = national, scheme
    return ((n_points * (12 - months) + s_points * months) / 12.0, n_known & s_known,
            _unknown_hundredths(len(n_points)))
