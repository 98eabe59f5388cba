"""The evaluation tree's basis nodes, for every practice at once: one indicator, all practices.

Each function here is the column form of a node in :mod:`qofrules.nodes` and must mean exactly
what that node means; the exact node is the definition and this is a fast way of computing it.
A column is a pair ``(points, known)``: float64 points per practice (unrounded, within
0..maximum) and whether each could be computed — missing data is never a silent zero here
either. Floats are safe because :mod:`qofrules.fastpath` rounds with a guard band and sends any
practice whose value lies near a rounding boundary to the exact path (docs/evaluation.md,
"How large runs are computed").
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


def national_column(columns: Columns, indicator, year: str, zero_denominator: str):
    """The national formula (nodes.current_achievement), for every practice."""
    maximum = columns.maximum
    if indicator.is_register:
        known = ~np.isnan(columns.measure(year, "register"))
        return np.where(known, maximum, 0.0), known
    numerator, denominator = columns.measure(year, "numerator"), columns.measure(year, "denominator")
    known = ~(np.isnan(numerator) | np.isnan(denominator))
    lower, upper = float(indicator.lower.value), float(indicator.upper.value)
    with np.errstate(invalid="ignore", divide="ignore"):
        percent = numerator * 100.0 / denominator
        scaled = maximum * (percent - lower) / (upper - lower)
    points = np.where(percent <= lower, 0.0, np.where(percent >= upper, maximum, scaled))
    zero = denominator == 0
    points = np.where(zero, maximum if zero_denominator == "full-points" else 0.0, points)
    return np.where(known, points, 0.0), known


def _achievement(node: AchievementNode, columns: Columns, year: str):
    if node.year is None:
        return columns.national
    achieved = columns.measure(node.year, "achieved_points")
    known = ~np.isnan(achieved)
    return np.where(known, np.minimum(np.maximum(achieved, 0.0), columns.maximum), 0.0), known


def _full(node, columns: Columns, year: str):
    return np.full(columns.count, columns.maximum), np.ones(columns.count, dtype=bool)


def _none(node, columns: Columns, year: str):
    return np.zeros(columns.count), np.ones(columns.count, dtype=bool)


def _fixed(node: FixedPointsNode, columns: Columns, year: str):
    value = min(max(float(node.points), 0.0), columns.maximum)
    return np.full(columns.count, value), np.ones(columns.count, dtype=bool)


def _choice(node: ChoiceNode, columns: Columns, year: str):
    """Best (or worst) of the candidates that could be computed; unknown only if none could."""
    candidates = [column(item, columns, year) for item in node.items]
    worst = -np.inf if node.highest else np.inf
    stacked = np.stack([np.where(known, points, worst) for points, known in candidates])
    known = np.logical_or.reduce([k for _, k in candidates])
    best = stacked.max(axis=0) if node.highest else stacked.min(axis=0)
    return np.where(known, best, 0.0), known


def _average(node: AverageNode, columns: Columns, year: str):
    """Every candidate is needed."""
    candidates = [column(item, columns, year) for item in node.items]
    known = np.logical_and.reduce([k for _, k in candidates])
    total = np.sum([p for p, _ in candidates], axis=0)
    return np.where(known, total / len(candidates), 0.0), known


def _percent(node: PercentNode, columns: Columns, year: str):
    points, known = column(node.item, columns, year)
    scaled = np.minimum(np.maximum(points * float(node.percent) / 100.0, 0.0), columns.maximum)
    return np.where(known, scaled, 0.0), known


COLUMN_FORMS = {AchievementNode: _achievement, FullPointsNode: _full, NoPointsNode: _none,
                FixedPointsNode: _fixed, ChoiceNode: _choice, AverageNode: _average, PercentNode: _percent}


def column(node: Node, columns: Columns, year: str):
    """``(points, known)`` of ``node`` for every practice."""
    return COLUMN_FORMS[type(node)](node, columns, year)


def blend(national, scheme, months: int):
    """``pays for: months run`` (evaluate._blend): both are needed."""
    (n_points, n_known), (s_points, s_known) = national, scheme
    return (n_points * (12 - months) + s_points * months) / 12.0, n_known & s_known
