"""Columns of exact non-negative fractions: the arithmetic of the columnar engine, in whole numbers.

A :class:`Ratios` holds one value per practice as ``top / bottom``, two arrays of whole numbers
(``bottom`` > 0). Every operation here is exact: it works in int64 where a bound computed in
Python's unbounded integers shows no step can overflow, and otherwise in arrays of Python
integers (numpy's object arrays: the same operations, exact at any size, slower). There are no
floats in a value, so no guard band and no second computation to referee one.

Rounding half up to a whole number (:func:`half_up_quotient`) is the one place a float is used,
and only to *guess* a quotient of products too large for int64: the guess is within one of the
true quotient (the bound is checked), and the remainder, computed exactly in wrapping 64-bit
arithmetic because it is small, corrects it. docs/evaluation.md, "How large runs are computed".
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

#: Bound on any whole number held in int64 here (with room for one addition of two).
LIMIT = 2 ** 62
#: Tops and bottoms below this are not reduced (Ratios.reduced): two of them multiply to less
#: than LIMIT // 2, the bound :meth:`Ratios.plus` keeps each product within.
REDUCE_FROM = 2 ** 30
#: Largest quotient whose float guess is trusted to be within one (a float's relative error,
#: a few parts in 10**16, times this is far below one half).
GUESS_LIMIT = 2 ** 40


def _most(values) -> int:
    """The largest magnitude in ``values`` (an array or a whole number), as a Python int."""
    if not isinstance(values, np.ndarray):
        return abs(int(values))
    if len(values) <= 16:  # a practice looked at alone: Python is faster than two reductions
        return max((abs(int(v)) for v in values.tolist()), default=0)
    return max(int(values.max()), -int(values.min()))


def _wide(values):
    """``values`` as an array of Python integers (exact at any size)."""
    if isinstance(values, np.ndarray):
        return values if values.dtype == object else values.astype(object)
    return int(values)


def _held_wide(factor, most: int) -> bool:
    """Whether a factor is held in Python integers, or is too large for one 64-bit word."""
    return most >= LIMIT or (isinstance(factor, np.ndarray) and factor.dtype == object)


def _magnitudes(factors: list) -> tuple[int, bool]:
    """(the product of the factors' largest magnitudes, whether any factor is itself too wide)."""
    most, wide = 1, False
    for factor in factors:
        magnitude = _most(factor)
        most *= magnitude
        wide = wide or _held_wide(factor, magnitude)
    return most, wide


def _product(factors: list, bound: int):
    """The product of ``factors`` (arrays or whole numbers), in int64 where it stays below
    ``bound``, else in Python integers."""
    most, wide = _magnitudes(factors)
    wide = wide or most >= bound
    out = 1
    for factor in factors:
        out = out * (_wide(factor) if wide else factor)
    return out


@dataclass(frozen=True, slots=True)
class Ratios:
    """``top / bottom`` per practice, exact."""

    top: np.ndarray
    bottom: np.ndarray

    @classmethod
    def constant(cls, value: Fraction, count: int) -> "Ratios":
        dtype = np.int64 if max(abs(value.numerator), value.denominator) < LIMIT else object
        return cls(np.full(count, value.numerator, dtype=dtype), np.full(count, value.denominator, dtype=dtype))

    def __len__(self) -> int:
        return len(self.top)

    def at(self, i: int) -> Fraction:
        """Practice ``i``'s value."""
        return Fraction(int(self.top[i]), int(self.bottom[i]))

    def at_row(self, i: int) -> "Ratios":
        """Practice ``i``'s value, as a column of one."""
        return Ratios(self.top[i:i + 1], self.bottom[i:i + 1])

    def reduced(self) -> "Ratios":
        """The same values in lowest terms, so later products stay small: where a top or bottom is
        REDUCE_FROM or more. Below that, the product of any two stays within the bound
        :meth:`plus` keeps, so they stay in int64. Exactness never depends on it (every product
        is bounded and checked, :func:`_product`; no value depends on its terms), only speed:
        a gcd of every practice's pair costs more than the steps it saves (about 200 µs a column,
        127 columns in evaluating England, where almost every column is that small)."""
        if self.top.dtype != object and self.bottom.dtype != object \
                and _most(self.top) < REDUCE_FROM and _most(self.bottom) < REDUCE_FROM:
            return self
        common = np.gcd(self.top, self.bottom)
        common = np.where(common == 0, 1, common)
        return Ratios(self.top // common, self.bottom // common)

    def times(self, factor: Fraction) -> "Ratios":
        """Each value × ``factor`` (≥ 0)."""
        top = _product([self.top, factor.numerator], LIMIT)
        bottom = _product([self.bottom, factor.denominator], LIMIT)
        return Ratios(top, bottom).reduced()

    def plus(self, other: "Ratios") -> "Ratios":
        bound = LIMIT // 2
        top = _product([self.top, other.bottom], bound) + _product([other.top, self.bottom], bound)
        return Ratios(top, _product([self.bottom, other.bottom], LIMIT)).reduced()

    def _cross(self, other: "Ratios"):
        """(self.top × other.bottom, other.top × self.bottom), to compare the two exactly."""
        return _product([self.top, other.bottom], LIMIT), _product([other.top, self.bottom], LIMIT)

    def greater(self, other: "Ratios") -> np.ndarray:
        mine, theirs = self._cross(other)
        return np.asarray(mine > theirs, dtype=bool)

    def less(self, other: "Ratios") -> np.ndarray:
        mine, theirs = self._cross(other)
        return np.asarray(mine < theirs, dtype=bool)

    def at_most(self, limit: Fraction) -> "Ratios":
        """Each value, or ``limit`` where it is larger (a maximum's cap)."""
        cap = Ratios.constant(limit, len(self))
        return where(self.greater(cap), cap, self)

    def at_least_zero(self) -> "Ratios":
        return where(self.top < 0, Ratios.constant(Fraction(0), len(self)), self)

    def hundredths(self) -> np.ndarray:
        """Each value rounded half up to whole hundredths (the rounding of points)."""
        return half_up_quotient([100, self.top], [self.bottom])


def where(mask: np.ndarray, chosen: Ratios, otherwise: Ratios) -> Ratios:
    """``chosen`` where ``mask`` holds, else ``otherwise``."""
    return Ratios(_where(mask, chosen.top, otherwise.top), _where(mask, chosen.bottom, otherwise.bottom))


def _where(mask, a, b):
    if (a.dtype == object) != (b.dtype == object):
        a, b = _wide(a), _wide(b)
    return np.where(mask, a, b)


def half_up_quotient(tops: list, bottoms: list) -> np.ndarray:
    """⌊X / Y + ½⌋ per practice, X the product of ``tops`` and Y of ``bottoms`` (whole numbers
    ≥ 0 and > 0, arrays or numbers): exact, in int64 where the result fits, else Python ints.

    Where X and Y fit in int64 this is one integer division. Where X does not (pence of a
    prevalence-adjusted indicator are a product of seven figures), the quotient is guessed in
    floats — within one of the truth while it is below ``GUESS_LIMIT`` — and the guess corrected
    by the exact remainder 2X + Y − 2Yq, which is small, so the 64-bit products that make it
    may wrap: the wrapped result is still the remainder (arithmetic modulo 2**64)."""
    if all(not isinstance(f, np.ndarray) or len(f) == 1 for f in tops + bottoms):
        return _one(tops, bottoms)  # one practice looked at alone: Python's integers are quickest
    y = _product(bottoms, LIMIT)
    x_bound, x_wide = _magnitudes(tops)
    y_most = _most(y)
    if not x_wide and x_bound * 2 + y_most < LIMIT:
        x = _product(tops, LIMIT)
        return np.asarray((2 * x + y) // (2 * y))
    if x_wide or _held_wide(y, y_most) or y_most >= LIMIT // 8:
        return _exactly(tops, y)
    guess_top = 1.0
    for factor in tops:
        guess_top = guess_top * (factor.astype(np.float64) if isinstance(factor, np.ndarray) else float(factor))
    guess = np.floor(guess_top / np.asarray(y, dtype=np.float64) + 0.5)
    if not (guess < GUESS_LIMIT).all():
        return _exactly(tops, y)
    q = guess.astype(np.int64)
    wrapped = np.uint64(1)
    for factor in tops:
        wrapped = wrapped * (factor.astype(np.uint64) if isinstance(factor, np.ndarray) else np.uint64(factor))
    y64 = np.asarray(y, dtype=np.int64).astype(np.uint64)
    with np.errstate(over="ignore"):
        remainder = (np.uint64(2) * wrapped + y64 - np.uint64(2) * y64 * q.astype(np.uint64)).astype(np.int64)
    y_signed = y64.astype(np.int64)
    return q - (remainder < 0) + (remainder >= 2 * y_signed)


def _one(tops: list, bottoms: list) -> np.ndarray:
    """⌊X / Y + ½⌋ of one practice's figures, in Python integers."""
    x = y = 1
    for factor in tops:
        x *= int(factor[0]) if isinstance(factor, np.ndarray) else int(factor)
    for factor in bottoms:
        y *= int(factor[0]) if isinstance(factor, np.ndarray) else int(factor)
    q = (2 * x + y) // (2 * y)
    return np.array([q], dtype=np.int64 if q < LIMIT else object)


def _exactly(tops: list, y) -> np.ndarray:
    """⌊X / Y + ½⌋ in Python integers: figures too large for any 64-bit step."""
    x = 1
    for factor in tops:
        x = x * _wide(factor)
    return np.asarray((2 * x + _wide(y)) // (2 * _wide(y)))
