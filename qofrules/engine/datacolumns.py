"""A data set read by the exact reader (:class:`~qofrules.data.model.Dataset`: a compact file, a
data set only it can judge, one practice looked at in full), as the columns the engine computes
over (:class:`~qofrules.data.columnar.ColumnarData`): so there is one engine, whichever reader
read the data, and one practice's trace is the same evaluation on a one-practice data set.

Counts are whole numbers the readers bound far below 2**53, so a float64 holds them exactly;
achieved points keep their decimal places (``points_scale``), from which the engine rebuilds the
written value exactly (vectorised._achievement).
"""
from __future__ import annotations

import numpy as np

from ..data.columnar import FIELDS, ColumnarData, PrevalenceColumns, YearColumns


def columns_of(data, practices=None) -> ColumnarData:
    """``data`` (a Dataset, or anything with its fields) as columns; with ``practices``, only
    those practices (each with the achievement and prevalence it carries)."""
    practices = tuple(data.practices if practices is None else practices)
    years = sorted({year for p in practices for year in p.achievement})
    prevalence_years = sorted({year for p in practices for year in p.prevalence})
    return ColumnarData(
        name=data.name, synthetic=data.synthetic, notice=data.notice, practices=practices,
        index={p.code: i for i, p in enumerate(practices)},
        achievement={year: _year(practices, year) for year in years},
        prevalence={year: _prevalence(practices, year) for year in prevalence_years},
        years=tuple(data.years), area_columns=data.area_columns, attribute_names=data.attribute_names,
        contract_overrides=data.contract_overrides, origin=data.origin)


def _year(practices, year: str) -> YearColumns:
    codes: dict[str, int] = {}
    for practice in practices:
        for code in practice.achievement.get(year, {}):
            codes.setdefault(code, len(codes))
    matrices: dict[str, np.ndarray] = {}
    scale = np.zeros((len(codes), len(practices)), dtype=np.int8)
    for i, practice in enumerate(practices):
        for code, measures in practice.achievement.get(year, {}).items():
            j = codes[code]
            for name, value in zip(FIELDS, (measures.register, measures.numerator, measures.denominator,
                                            measures.exceptions, measures.achieved_points)):
                if value is None:
                    continue
                if name not in matrices:
                    matrices[name] = np.full((len(codes), len(practices)), np.nan)
                matrices[name][j, i] = float(value)
                if name == "achieved_points":
                    exponent = value.as_tuple().exponent
                    scale[j, i] = min(max(0, -exponent), 127) if isinstance(exponent, int) else 0
    return YearColumns(codes=codes, matrices=matrices, points_scale=scale)


def _prevalence(practices, year: str) -> PrevalenceColumns:
    groups: dict[str, int] = {}
    for practice in practices:
        for group in practice.prevalence.get(year, {}):
            groups.setdefault(group, len(groups))
    register = np.full((len(practices), len(groups)), np.nan)
    list_size = np.full((len(practices), len(groups)), np.nan)
    for i, practice in enumerate(practices):
        for group, found in practice.prevalence.get(year, {}).items():
            register[i, groups[group]], list_size[i, groups[group]] = found.register, found.list_size
    return PrevalenceColumns(groups=groups, register=register, list_size=list_size)
