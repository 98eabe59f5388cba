"""One year's achievement of every practice as arrays, whichever reader read the data set: the
common ground of ``contracts infer`` and ``reconcile``, which look at every practice × indicator.

From :class:`~qofrules.data.columnar.ColumnarData` the arrays are the reader's own matrices'
rows; from a :class:`~qofrules.data.model.Dataset` they are built from its ``Measures``. Either
way: float64 counts (NaN where not given) and ACHIEVED_POINTS as whole hundredths (NaN where not
given, or written with more than two decimal places, which ``points_places`` marks).
"""
from __future__ import annotations

from decimal import Decimal

import numpy as np

from ..data.columnar import ColumnarData

FIELDS = ("register", "numerator", "denominator", "exceptions")


class YearCells:
    """Measures of one year: ``measure(code, field)`` → float64 per practice."""

    def __init__(self, data, year: str):
        self.data, self.year = data, year
        self.codes_ = self._codes()

    @property
    def count(self) -> int:
        return len(self.data.practices)

    @property
    def practices(self):
        return self.data.practices

    def _codes(self) -> set[str]:
        if isinstance(self.data, ColumnarData):
            return self.data.codes(self.year)
        return {c for p in self.data.practices for c in p.achievement.get(self.year, {})}

    def codes(self) -> set[str]:
        return self.codes_

    def measure(self, code: str, field: str) -> np.ndarray:
        if isinstance(self.data, ColumnarData):
            columns = self.data.achievement.get(self.year)
            j = None if columns is None else columns.codes.get(code)
            if j is None or field not in columns.matrices:
                return np.full(self.count, np.nan)
            return columns.matrices[field][j]
        out = np.full(self.count, np.nan)
        for i, practice in enumerate(self.data.practices):
            found = practice.measures(self.year, code)
            value = None if found is None else getattr(found, field)
            if value is not None:
                out[i] = value
        return out

    def points(self, code: str) -> tuple[np.ndarray, np.ndarray]:
        """(ACHIEVED_POINTS in whole hundredths, NaN where not given or not in two places; decimal
        places written, -1 where not given)."""
        if isinstance(self.data, ColumnarData):
            columns = self.data.achievement.get(self.year)
            j = None if columns is None else columns.codes.get(code)
            if j is None or "achieved_points" not in columns.matrices:
                return np.full(self.count, np.nan), np.full(self.count, -1)
            values = columns.matrices["achieved_points"][j]
            places = np.where(np.isnan(values), -1, columns.points_scale[j].astype(np.int64))
            hundredths = np.where((places >= 0) & (places <= 2), np.rint(values * 100.0), np.nan)
            return hundredths, places
        hundredths, places = np.full(self.count, np.nan), np.full(self.count, -1)
        for i, practice in enumerate(self.data.practices):
            found = practice.measures(self.year, code)
            value = None if found is None else found.achieved_points
            if value is None:
                continue
            exponent = value.as_tuple().exponent
            places[i] = max(0, -exponent) if isinstance(exponent, int) else 99
            if places[i] <= 2:
                hundredths[i] = int((value * 100).to_integral_value())
        return hundredths, places

    def published_text(self, code: str, i: int) -> str | None:
        """Practice ``i``'s ACHIEVED_POINTS as written (for messages)."""
        if isinstance(self.data, ColumnarData):
            found = self.data.practice_in_full(i, code).measures(self.year, code)
        else:
            found = self.data.practices[i].measures(self.year, code)
        if found is None or found.achieved_points is None:
            return None
        return format(found.achieved_points, "f")


def hundredths_decimal(value) -> Decimal | None:
    if value is None or value != value:
        return None
    return Decimal(int(value)).scaleb(-2)
