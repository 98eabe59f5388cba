"""One indicator for every practice of a columnar data set: what each node of a rule's basis
reads (:class:`~.vectorised.Columns`), what a point pays each practice (:class:`Price`), and which
rule's basis pays it. The whole run (:mod:`.fastpath`) and one practice's trace (:mod:`.exact`,
the same evaluation on a one-practice data set) both compute through these.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..data.columnar import ColumnarData
from .nodes import as_decimal_quotient, choice_number, exact_figure
from .ratios import Ratios, half_up_quotient
from .vectorised import Col, Columns, choice_attributes, column, national_column, select


class Price:
    """What one hundredth of a point pays each practice, in pence, as exact whole-number factors:
    £ per point × CPI × APDF (pricing.py) is, in number, pence per hundredth
    of a point, = product(tops) / product(bottoms)."""

    def __init__(self, tops: list, bottoms: list):
        self.tops, self.bottoms = tops, bottoms

    def at(self, i: int) -> "Price":
        """Practice ``i``'s price, as a column of one."""
        return Price([f[i:i + 1] if isinstance(f, np.ndarray) else f for f in self.tops],
                     [f[i:i + 1] if isinstance(f, np.ndarray) else f for f in self.bottoms])

    def pence(self, hundredths: np.ndarray) -> np.ndarray:
        """Each practice's rounded points (whole hundredths) paid, to the penny, half up."""
        return half_up_quotient([hundredths] + self.tops, self.bottoms)


def price_of(data: ColumnarData, contract, pricing, list_size: np.ndarray):
    """(Price, APDF known) per practice for one indicator's pricing: its £ per point, × CPI where
    list size adjusts it (``list_size`` over the national average), × APDF (the practice's
    prevalence of the group over the national prevalence) where a group's prevalence does."""
    count = len(list_size)
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


def measures_of(data: ColumnarData, code: str, earlier: dict[str, str | None]) -> dict:
    """The indicator's measures per year of data: under ``code`` in the contract year, and in each
    earlier year a basis names under the code ``earlier`` gives (tree.codes_read); none at all for
    a year it is new since, so ``achievement in`` that year is unknown."""
    found = {}
    for year, columns in data.achievement.items():
        read = earlier.get(year, code)
        j = None if read is None else columns.codes.get(read)
        if j is not None:
            for name, matrix in columns.matrices.items():
                found[year, name] = matrix[j]
            found[year, "points_scale"] = columns.points_scale[j]
    return found


def shown_apdf(data: ColumnarData, contract, group: str | None, i: int):
    """The APDF shown for practice ``i`` (34 digits), or None (no APDF, or unknown): practice
    prevalence over national, as one quotient of whole numbers."""
    if group is None:
        return None
    prevalence = data.prevalence.get(contract.year)
    g = prevalence.groups.get(group) if prevalence else None
    if g is None or prevalence.register[i, g] != prevalence.register[i, g]:  # NaN: not given
        return None
    national = exact_figure(contract.groups[group].national_prevalence.value)
    return as_decimal_quotient(int(prevalence.register[i, g]) * 100 * national.denominator,
                               int(prevalence.list_size[i, g]) * national.numerator)


def no_points(count: int) -> Col:
    """The national column of a local indicator: national rules pay nothing for it."""
    return Col(Ratios.constant(Fraction(0), count), np.ones(count, dtype=bool))


def indicator_columns(tree, data: ColumnarData, code: str, maximum: Fraction, choices: dict) -> Columns:
    """What the nodes may look at for one indicator, with ``maximum`` as its maximum points (a
    rule's ``points:`` changes it), and this year's achievement computed under that maximum."""
    indicator, zero_denominator = tree.contract.indicators[code], tree.contract.zero_denominator.value
    columns = Columns(count=len(data.practices), exact_maximum=maximum,
                      measures=measures_of(data, code, tree.codes_read(code)), indicator=indicator,
                      zero_denominator=zero_denominator, choices=choices, practices=data.practices)
    columns.national = national_column(columns, indicator, tree.contract.year, zero_denominator)
    return columns


def basis_columns(tree, plan, columns: Columns, data: ColumnarData, code: str, choices: dict) -> Columns:
    """The columns a rule's basis reads: the indicator's, or under the rule's own maximum."""
    if plan.maximum is not None and plan.maximum != columns.exact_maximum:
        return indicator_columns(tree, data, code, plan.maximum, choices)
    return columns


def plan_column(tree, plan, columns: Columns, data: ColumnarData, code: str, choices: dict,
                requested: np.ndarray) -> Col:
    """One rule's basis for every practice (its ``on request`` basis where the practice asked)."""
    columns = basis_columns(tree, plan, columns, data, code, choices)
    paid = column(plan.pay, columns, tree.contract.year)
    if plan.on_request is not None:
        paid = select(requested, column(plan.on_request, columns, tree.contract.year), paid)
    return paid


def practice_choices(tree, practices) -> dict:
    """Per attribute a ``practice choice`` reads, each practice's choice (0: none recorded)."""
    return {name: np.array([choice_number(p.attributes.get(name, ""), 999) or 0 for p in practices])
            for name in choice_attributes(tree)}
