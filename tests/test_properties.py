"""Invariants of the points formula, over generated inputs (hypothesis)."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from conftest import fixture_contract
from qofrules.contracts.model import Figure
from qofrules.data.model import Measures, Practice
from qofrules.engine.nodes import Context, current_achievement

CONTRACT = fixture_contract()


def _context(numerator: int, denominator: int, lower: int, upper: int, points: int) -> Context:
    indicator = replace(CONTRACT.indicators["AA002"],
                        points=Figure(value=points, status="unchecked"),
                        lower=Figure(value=Decimal(lower), status="unchecked"),
                        upper=Figure(value=Decimal(upper), status="unchecked"))
    practice = Practice(code="P", name="P", list_size=5000, achievement={
        CONTRACT.year: {"AA002": Measures(numerator=numerator, denominator=denominator)}})
    return Context(practice=practice, indicator=indicator, contract=CONTRACT)


thresholds = st.tuples(st.integers(0, 99), st.integers(1, 100)).filter(lambda t: t[0] < t[1])


@settings(max_examples=300, deadline=None)
@given(denominator=st.integers(0, 2000), share=st.floats(0, 1), bounds=thresholds, points=st.integers(0, 60))
def test_points_stay_within_zero_and_the_maximum(denominator, share, bounds, points):
    numerator = int(denominator * share)
    outcome = current_achievement(_context(numerator, denominator, bounds[0], bounds[1], points))
    assert Decimal(0) <= outcome.points <= Decimal(points)


@settings(max_examples=300, deadline=None)
@given(denominator=st.integers(1, 2000), share=st.floats(0, 1), bounds=thresholds, points=st.integers(0, 60))
def test_points_never_fall_as_achievement_rises(denominator, share, bounds, points):
    numerator = int(denominator * share)
    lower = current_achievement(_context(numerator, denominator, bounds[0], bounds[1], points)).points
    higher = current_achievement(_context(min(numerator + 1, denominator), denominator, bounds[0], bounds[1],
                                          points)).points
    assert higher >= lower


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.integers(-10**20, 10**20), st.integers(-1000, 1000)))
def test_whole_hundredths_are_written_as_their_decimal_is(value):
    """The columnar path writes points and pence from whole hundredths without making Decimals
    (money.hundredths_text); the text must be the exact path's, character for character."""
    from qofrules.money import decimal_text, hundredths_text
    assert hundredths_text(value) == decimal_text(Decimal(value).scaleb(-2))
