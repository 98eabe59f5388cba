"""The columnar engine's exact arithmetic (qofrules/engine/ratios.py) against Python's fractions:
every operation and rounding on whole numbers of any size, int64 or not, gives the exact answer."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings, strategies as st

from qofrules.engine.ratios import GUESS_LIMIT, Ratios, half_up_quotient, where

# Tops and bottoms from small to far past int64, so both the int64 and the unbounded ways are taken.
sizes = st.sampled_from([10, 10 ** 6, 2 ** 31, 2 ** 40, 2 ** 62, 10 ** 30])
whole = sizes.flatmap(lambda most: st.integers(0, most))
positive = sizes.flatmap(lambda most: st.integers(1, most))


def _half_up(x: Fraction) -> int:
    return int((2 * x.numerator + x.denominator) // (2 * x.denominator))


def _column(values: list[int]) -> np.ndarray:
    return np.array(values, dtype=np.int64 if all(v < 2 ** 62 for v in values) else object)


def _ratios(pairs) -> Ratios:
    return Ratios(_column([t for t, _ in pairs]), _column([b for _, b in pairs]))


pairs = st.lists(st.tuples(whole, positive), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.lists(whole, min_size=1, max_size=7), st.lists(positive, min_size=1, max_size=3)),
                min_size=1, max_size=1).flatmap(lambda one: st.just(one[0])))
def test_half_up_quotient_of_products_is_exact(factors):
    """Pence are ⌊X/Y + ½⌋ of products of up to seven figures: the float guess and its exact
    correction give Python's answer, however large X is."""
    tops, bottoms = factors
    x = Fraction(np.prod([Fraction(t) for t in tops]), np.prod([Fraction(b) for b in bottoms]))
    # as a column of two practices (the whole run's ways: int64, the float guess corrected, Python
    # integers) and of one (a practice looked at alone)
    got = half_up_quotient([np.array([t, 1], dtype=np.int64) if t < 2 ** 62 else t for t in tops], bottoms)
    alone = half_up_quotient([np.array([t], dtype=np.int64) if t < 2 ** 62 else t for t in tops], bottoms)
    assert int(np.asarray(got)[0]) == int(np.asarray(alone)[0]) == _half_up(x)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, GUESS_LIMIT - 1), st.integers(1, 2 ** 58), st.integers(0, 2))
def test_a_quotient_near_a_half_is_rounded_up_at_the_half_and_down_below_it(quotient, bottom, offset):
    """The hardest cases for a float guess: X/Y exactly q + ½, or one unit either side of it,
    with X far beyond int64."""
    x = (2 * quotient + 1) * bottom  # X / (2·bottom) = q + ½ exactly
    top = x - 1 + offset
    column = np.array([top, 0], dtype=object if top >= 2 ** 62 else np.int64)
    got = half_up_quotient([column], [2 * bottom])
    alone = half_up_quotient([column[:1]], [2 * bottom])
    assert int(np.asarray(got)[0]) == int(np.asarray(alone)[0]) == _half_up(Fraction(top, 2 * bottom))


@settings(max_examples=200, deadline=None)
@given(pairs, st.data())
def test_arithmetic_and_comparisons_equal_fractions(left, data):
    right = data.draw(st.lists(st.tuples(whole, positive), min_size=len(left), max_size=len(left)))
    factor = Fraction(data.draw(whole), data.draw(positive))
    a, b = _ratios(left), _ratios(right)
    fa, fb = [Fraction(t, d) for t, d in left], [Fraction(t, d) for t, d in right]
    assert [a.plus(b).at(i) for i in range(len(a))] == [x + y for x, y in zip(fa, fb)]
    assert [a.times(factor).at(i) for i in range(len(a))] == [x * factor for x in fa]
    assert a.greater(b).tolist() == [x > y for x, y in zip(fa, fb)]
    assert a.less(b).tolist() == [x < y for x, y in zip(fa, fb)]
    assert [a.at_most(factor).at(i) for i in range(len(a))] == [min(x, factor) for x in fa]
    assert [int(h) for h in a.hundredths()] == [_half_up(100 * x) for x in fa]
    mask = np.array([i % 2 == 0 for i in range(len(a))])
    assert [where(mask, a, b).at(i) for i in range(len(a))] == [x if m else y for x, y, m in zip(fa, fb, mask)]


def test_a_huge_payment_falls_back_to_unbounded_integers_and_stays_exact():
    """£ per point of £10**12 (past the float guess's bound): Python integers, same answer."""
    hundredths = np.array([1234, 5], dtype=np.int64)
    got = half_up_quotient([hundredths, 10 ** 14, 7], [3])
    assert [int(v) for v in got] == [_half_up(Fraction(1234 * 10 ** 14 * 7, 3)), _half_up(Fraction(5 * 10 ** 14 * 7, 3))]


small = st.integers(0, 2 ** 20)
small_positive = st.integers(1, 2 ** 20)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(small, small_positive), min_size=1, max_size=6), st.data())
def test_values_left_unreduced_stay_exact_and_small(start, data):
    """Ratios.reduced leaves tops and bottoms below REDUCE_FROM as they are: along any chain of
    sums and products every value is still exact, and every column still holds whole numbers
    below REDUCE_FROM in int64 while the values in lowest terms have been that small (a column
    once held in Python integers stays so)."""
    from qofrules.engine.ratios import REDUCE_FROM
    column, exact = _ratios(start), [Fraction(t, b) for t, b in start]
    small_so_far = True
    for _ in range(data.draw(st.integers(1, 8))):
        if data.draw(st.booleans()):
            other = data.draw(st.lists(st.tuples(small, small_positive), min_size=len(start), max_size=len(start)))
            column, exact = column.plus(_ratios(other)), [x + Fraction(t, b) for x, (t, b) in zip(exact, other)]
        else:
            factor = Fraction(data.draw(small), data.draw(small_positive))
            column, exact = column.times(factor), [x * factor for x in exact]
        assert [column.at(i) for i in range(len(column))] == exact
        small_so_far = small_so_far and all(x.numerator < REDUCE_FROM and x.denominator < REDUCE_FROM for x in exact)
        if small_so_far:
            assert column.top.dtype == np.int64 and column.bottom.dtype == np.int64
            assert int(column.top.max()) < REDUCE_FROM and int(column.bottom.max()) < REDUCE_FROM
