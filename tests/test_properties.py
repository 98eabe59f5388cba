"""Invariants of the points formula, over generated inputs (hypothesis)."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from fractions import Fraction

import numpy as np

from conftest import fixture_contract
from qofrules.contracts.model import Figure
from qofrules.engine.vectorised import Columns, national_column

CONTRACT = fixture_contract()


def _points(numerator: int, denominator: int, lower: int, upper: int, points: int) -> Fraction:
    """The engine's national formula for one practice (its column form, on one row)."""
    indicator = replace(CONTRACT.indicators["AA002"],
                        points=Figure(value=points, status="unchecked"),
                        lower=Figure(value=Decimal(lower), status="unchecked"),
                        upper=Figure(value=Decimal(upper), status="unchecked"))
    columns = Columns(count=1, exact_maximum=Fraction(points),
                      measures={(CONTRACT.year, "numerator"): np.array([float(numerator)]),
                                (CONTRACT.year, "denominator"): np.array([float(denominator)])})
    col = national_column(columns, indicator, CONTRACT.year, "no-points")
    assert col.known[0]
    return col.value.at(0)


thresholds = st.tuples(st.integers(0, 99), st.integers(1, 100)).filter(lambda t: t[0] < t[1])


@settings(max_examples=300, deadline=None)
@given(denominator=st.integers(0, 2000), share=st.floats(0, 1), bounds=thresholds, points=st.integers(0, 60))
def test_points_stay_within_zero_and_the_maximum(denominator, share, bounds, points):
    numerator = int(denominator * share)
    assert 0 <= _points(numerator, denominator, bounds[0], bounds[1], points) <= points


@settings(max_examples=300, deadline=None)
@given(denominator=st.integers(1, 2000), share=st.floats(0, 1), bounds=thresholds, points=st.integers(0, 60))
def test_points_never_fall_as_achievement_rises(denominator, share, bounds, points):
    numerator = int(denominator * share)
    lower = _points(numerator, denominator, bounds[0], bounds[1], points)
    higher = _points(min(numerator + 1, denominator), denominator, bounds[0], bounds[1], points)
    assert higher >= lower


@settings(max_examples=500, deadline=None)
@given(denominator=st.integers(1, 10 ** 6), share=st.fractions(0, 1), bounds=thresholds, points=st.integers(0, 60))
def test_the_national_formula_is_the_published_one(denominator, share, bounds, points):
    """docs/evaluation.md's formula, written here in Python fractions as the contract states it:
    0 at or below the lower threshold, the maximum at or above the upper, and in between the
    maximum × (achievement − lower) / (upper − lower)."""
    numerator = int(denominator * share)
    percent, low, high = Fraction(100 * numerator, denominator), Fraction(bounds[0]), Fraction(bounds[1])
    want = points if percent >= high else 0 if percent <= low else points * (percent - low) / (high - low)
    assert _points(numerator, denominator, bounds[0], bounds[1], points) == want


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.integers(-10**20, 10**20), st.integers(-1000, 1000)))
def test_whole_hundredths_are_written_as_their_decimal_is(value):
    """The columnar path writes points and pence from whole hundredths without making Decimals
    (money.hundredths_text); the text must be the exact path's, character for character."""
    from qofrules.money import decimal_text, hundredths_text
    assert hundredths_text(value) == decimal_text(Decimal(value).scaleb(-2))
