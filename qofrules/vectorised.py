"""The evaluation tree's basis nodes, for every practice at once: one indicator, all practices.

Each function here is the column form of a node in :mod:`qofrules.nodes` and must mean exactly
what that node means; the exact node is the definition and this is a fast way of computing it.
A column is a triple ``(points, known, hundredths)``: float64 points per practice (unrounded,
within 0..maximum), whether each could be computed — missing data is never a silent zero here
either — and, where it is known exactly, the points rounded to hundredths (half up), else NaN.
Exact hundredths come from whole-number arithmetic (the national formula with whole thresholds,
data's own 2-dp points, full or no points) and survive ``higher of``/``lower of`` because
rounding is monotone. Where they are NaN, :mod:`qofrules.fastpath` rounds the float with a guard
band and sends any value near a rounding boundary to the exact path (docs/evaluation.md, "How
large runs are computed").
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .nodes import (AchievementNode, AverageNode, ChoiceNode, FixedPointsNode, FullPointsNode, Node, NoPointsNode,
                    PercentNode)


@dataclass
class Columns:
    """What a node may look at for one indicator: the practices' measures for each year of data,
    the indicator's maximum, and the national-rules column once computed."""

    count: int
    maximum: float
    measures: dict  # (year, field) -> float64 column (NaN: not given), or absent when the data lacks it
    national: tuple[np.ndarray, np.ndarray] | None = None

    def measure(self, year: str, name: str) -> np.ndarray:
        found = self.measures.get((year, name))
        return np.full(self.count, np.nan) if found is None else found


def _unknown_hundredths(count: int) -> np.ndarray:
    return np.full(count, np.nan)


def national_column(columns: Columns, indicator, year: str, zero_denominator: str):
    """The national formula (nodes.current_achievement), for every practice."""
    maximum = columns.maximum
    if indicator.is_register:
        known = ~np.isnan(columns.measure(year, "register"))
        return np.where(known, maximum, 0.0), known, np.full(columns.count, maximum * 100.0)
    numerator, denominator = columns.measure(year, "numerator"), columns.measure(year, "denominator")
    known = ~(np.isnan(numerator) | np.isnan(denominator))
    lower, upper = float(indicator.lower.value), float(indicator.upper.value)
    with np.errstate(invalid="ignore", divide="ignore"):
        percent = numerator * 100.0 / denominator
        scaled = maximum * (percent - lower) / (upper - lower)
    below, above, zero = percent <= lower, percent >= upper, denominator == 0
    zero_points = maximum if zero_denominator == "full-points" else 0.0
    points = np.where(zero, zero_points, np.where(below, 0.0, np.where(above, maximum, scaled)))
    hundredths = _unknown_hundredths(columns.count)
    if all(float(x).is_integer() for x in (maximum, lower, upper)) and maximum * 1e4 * 1e9 < 2 ** 62:
        # ⌊100·max·(100n − L·d) / ((U − L)·d) + ½⌋ in whole numbers: exact (counts are below 10**15
        # only in principle; beyond 10**9 the product could overflow, so those stay on the guard).
        small = known & (denominator < 1e9) & (denominator > 0)
        n = np.where(small, numerator, 0).astype(np.int64)
        d = np.where(small, denominator, 1).astype(np.int64)
        top = 200 * int(maximum) * (100 * n - int(lower) * d) + (int(upper) - int(lower)) * d
        exact = np.floor_divide(top, 2 * (int(upper) - int(lower)) * d).astype(np.float64)
        exact = np.where(below, 0.0, np.where(above, maximum * 100.0, exact))
        hundredths = np.where(small, exact, hundredths)
        hundredths = np.where(known & zero, zero_points * 100.0, hundredths)
    return np.where(known, points, 0.0), known, hundredths


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
            np.full(columns.count, columns.maximum * 100.0))


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


COLUMN_FORMS = {AchievementNode: _achievement, FullPointsNode: _full, NoPointsNode: _none,
                FixedPointsNode: _fixed, ChoiceNode: _choice, AverageNode: _average, PercentNode: _percent}


def column(node: Node, columns: Columns, year: str):
    """``(points, known)`` of ``node`` for every practice."""
    return COLUMN_FORMS[type(node)](node, columns, year)


def blend(national, scheme, months: int):
    """``pays for: months run`` (evaluate._blend): both are needed."""
    (n_points, n_known, _), (s_points, s_known, _) = national, scheme
    return ((n_points * (12 - months) + s_points * months) / 12.0, n_known & s_known,
            _unknown_hundredths(len(n_points)))
