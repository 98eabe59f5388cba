"""The evaluation tree's basis nodes, for every practice at once: one indicator, all practices.

Each function here is the column form of a node in :mod:`qofrules.engine.nodes` and means exactly
what that node means. A column is a pair ``(value, known)``: the points per practice as exact
fractions (:class:`~qofrules.engine.ratios.Ratios`, unrounded, within 0..maximum) and whether each
could be computed — missing data is never a silent zero here either; where it is not known the
value is 0 and nothing reads it. Every step is exact whole-number arithmetic (docs/evaluation.md,
"How large runs are computed"), so a column's rounding is exact, not an estimate of it.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

from ..data.columnar import written_points
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
    practices: tuple = ()

    def measure(self, year: str, name: str) -> np.ndarray:
        found = self.measures.get((year, name))
        return np.full(self.count, np.nan) if found is None else found

    def at(self, year: str, name: str, i: int):
        """Practice ``i``'s measure as a whole number, or None where not given."""
        value = self.measure(year, name)[i]
        return None if value != value else int(value)

    def written_points(self, year: str, i: int) -> Decimal | None:
        """Practice ``i``'s achieved points in ``year`` as the data wrote them, or None."""
        value = self.measure(year, "achieved_points")[i]
        if value != value:
            return None
        places = self.measures.get((year, "points_scale"))
        return written_points(float(value), 0 if places is None else int(places[i]))

    def choice_text(self, attribute: str, i: int) -> str:
        """Practice ``i``'s attribute as written (what a ``practice choice`` reads)."""
        return self.practices[i].attributes.get(attribute.lower(), "")

    def constant(self, value: Fraction) -> Ratios:
        return Ratios.constant(value, self.count)

    def counts(self, year: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(numerators, denominators, known) of this year as whole numbers (0 where not known)."""
        numerator, denominator = self.measure(year, "numerator"), self.measure(year, "denominator")
        known = ~(np.isnan(numerator) | np.isnan(denominator))
        return (np.where(known, numerator, 0).astype(np.int64), np.where(known, denominator, 0).astype(np.int64),
                known)


@dataclass(slots=True)
class Col:
    """One node's points for every practice: ``value`` where ``known``; ``parts``, its candidates'
    columns; ``chosen``, the candidate each practice took (1-based; 0: none), where it chooses."""

    value: Ratios
    known: np.ndarray
    parts: tuple = ()
    chosen: np.ndarray | None = None


def _unknown_as_zero(value: Ratios, known: np.ndarray, parts: tuple = (), chosen=None) -> Col:
    return Col(where(known, value, Ratios.constant(ZERO, len(value))), known, parts, chosen)


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
        return Col(where(known, full, none), known)
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
    return Col(value, known)


def _achievement(node: AchievementNode, columns: Columns, year: str):
    """An earlier year's achieved points as the data wrote them, capped at the maximum."""
    if node.year is None:
        return columns.national
    achieved = columns.measure(node.year, "achieved_points")
    known = ~np.isnan(achieved)
    value = _written(achieved, known, columns.measures.get((node.year, "points_scale")))
    return _unknown_as_zero(value.at_least_zero().at_most(columns.exact_maximum), known)


def _written(achieved: np.ndarray, known: np.ndarray, places) -> Ratios:
    """Achieved points exactly as written: the float read times 10**places, rounded to a whole
    number, over 10**places. A reader's plain number of at most 15 characters has at most 14
    digits, which that rebuilds exactly; anything longer (a compact file's 17-digit float) is
    rebuilt from its shortest decimal text, as :func:`written_points` shows it."""
    places = np.zeros(len(achieved), dtype=np.int64) if places is None else places.astype(np.int64)
    given = np.where(known, achieved, 0.0)
    with np.errstate(over="ignore", invalid="ignore"):
        wide = known & ((places > 15) | ~(np.abs(given) * 10.0 ** places < 2.0 ** 53))
    scale = 10 ** np.where(wide, 0, places)
    top = np.rint(np.where(wide, 0.0, given) * scale).astype(np.int64)
    value = Ratios(top, scale)
    if wide.any():
        tops, bottoms = top.astype(object), scale.astype(object)
        for i in np.flatnonzero(wide).tolist():
            exact = Fraction(written_points(float(achieved[i]), int(places[i])))
            tops[i], bottoms[i] = exact.numerator, exact.denominator
        value = Ratios(tops, bottoms)
    return value.reduced()


def _full(node, columns: Columns, year: str):
    return Col(columns.constant(columns.exact_maximum), np.ones(columns.count, dtype=bool))


def _none(node, columns: Columns, year: str):
    return Col(columns.constant(ZERO), np.ones(columns.count, dtype=bool))


def _fixed(node: FixedPointsNode, columns: Columns, year: str):
    value = min(max(Fraction(node.points), ZERO), columns.exact_maximum)
    return Col(columns.constant(value), np.ones(columns.count, dtype=bool))


def _choice(node: ChoiceNode, columns: Columns, year: str):
    """Best (or worst) of the candidates that could be computed, the first where several tie;
    unknown only if none could."""
    candidates = tuple(column(item, columns, year) for item in node.items)
    best, best_known = candidates[0].value, candidates[0].known
    chosen = np.where(best_known, 1, 0)
    for number, candidate in enumerate(candidates[1:], start=2):
        wins = candidate.value.greater(best) if node.highest else candidate.value.less(best)
        better = candidate.known & (~best_known | wins)
        best, best_known = where(better, candidate.value, best), best_known | candidate.known
        chosen = np.where(better, number, chosen)
    return Col(best, best_known, candidates, chosen)


def _all_known(candidates) -> np.ndarray:
    return np.logical_and.reduce([candidate.known for candidate in candidates])


def _added(candidates) -> Ratios:
    total = candidates[0].value
    for candidate in candidates[1:]:
        total = total.plus(candidate.value)
    return total


def _average(node: AverageNode, columns: Columns, year: str):
    """Every candidate is needed."""
    candidates = tuple(column(item, columns, year) for item in node.items)
    return _unknown_as_zero(_added(candidates).times(Fraction(1, len(candidates))), _all_known(candidates),
                            candidates)


def _percent(node: PercentNode, columns: Columns, year: str):
    inner = column(node.item, columns, year)
    scaled = inner.value.times(Fraction(node.percent) / 100).at_least_zero().at_most(columns.exact_maximum)
    return Col(scaled, inner.known, (inner,))


def _sum(node: SumNode, columns: Columns, year: str):
    """Every candidate is needed; the sum is capped at the maximum."""
    candidates = tuple(column(item, columns, year) for item in node.items)
    return _unknown_as_zero(_added(candidates).at_most(columns.exact_maximum), _all_known(candidates), candidates)


def _once_lower_passed(node: OnceLowerPassedNode, columns: Columns, year: str):
    """N points (capped) where this year's achievement is above the lower threshold, compared in
    whole numbers; a zero denominator pays as the year's zero-denominator rule says."""
    paid = min(Fraction(node.points), columns.exact_maximum)
    if not columns.indicator.is_fraction:  # no lower threshold: unknown (the check refuses it: QR411)
        return Col(columns.constant(ZERO), np.zeros(columns.count, dtype=bool))
    n, d, known = columns.counts(year)
    lower = exact_figure(columns.indicator.lower.value)
    passed = ~percent_at_most(n, d, lower)
    passed = np.where(d == 0, columns.zero_denominator == "full-points", passed)
    paying = known & passed
    return Col(where(paying, columns.constant(paid), columns.constant(ZERO)), known, chosen=paying.astype(np.int64))


def _practice_choice(node: PracticeChoiceNode, columns: Columns, year: str):
    """The chosen candidate's column, practice by practice; unknown where no choice is recorded."""
    chosen = columns.choices[node.attribute.lower()]
    chosen = np.where(chosen <= len(node.items), chosen, 0)  # '3' of two candidates names none
    value, known = columns.constant(ZERO), np.zeros(columns.count, dtype=bool)
    parts = []
    for number, item in enumerate(node.items, start=1):
        mine = chosen == number
        candidate = column(item, columns, year) if mine.any() else None
        if candidate is not None:
            value, known = where(mine, candidate.value, value), np.where(mine, candidate.known, known)
        parts.append(candidate)
    return _unknown_as_zero(value, known, tuple(parts), chosen)


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


def column(node: Node, columns: Columns, year: str) -> Col:
    """``node``'s column for every practice."""
    return COLUMN_FORMS[type(node)](node, columns, year)


def blend(national: Col, scheme: Col, months: int) -> Col:
    """``pays for: months run``: national rules for the months the scheme did not run, its basis
    for the rest; both are needed. Its parts are (scheme, national)."""
    value = national.value.times(Fraction(12 - months, 12)).plus(scheme.value.times(Fraction(months, 12)))
    return _unknown_as_zero(value, national.known & scheme.known, (scheme, national))


def select(mask: np.ndarray, chosen: Col, otherwise: Col) -> Col:
    """``chosen`` where ``mask`` holds, ``otherwise`` elsewhere (which rule, or basis, pays)."""
    return Col(where(mask, chosen.value, otherwise.value), np.where(mask, chosen.known, otherwise.known))
