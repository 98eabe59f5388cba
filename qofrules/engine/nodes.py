"""The evaluation tree's basis nodes, and the :class:`Outcome` a practice's trace is made of.

A node says what a basis is (its candidates and figures); the compiler builds a tree of them.
What each node computes has one definition, its column form (:mod:`.vectorised`, every practice
at once, in exact whole-number fractions); what it did for one practice is its :class:`Outcome`
(:mod:`.trace`): the unrounded points, a one-line account with the numbers filled in, its
children's outcomes, and what data was missing — read from the columns the evaluation made, not
a second calculation that could differ.

Points are exact, so a value that is exactly a half at the second decimal place (7.625 points:
18 × (82/144 × 100 − 40) / 40) is one, and rounds up as the rule says. (Working in 34-digit
decimals instead, 82/144 × 100 is stored a little short, and 7.625 came out as 7.62499…,
rounding down.) ``Outcome.points`` gives the value as a Decimal of 34 significant digits, for
people to read; arithmetic and rounding use ``Outcome.exact``.

Missing data is never a silent zero (docs/evaluation.md, "Missing data"): an outcome whose
``points`` is None says what was missing, and the nodes above decide what that means.
"""
from __future__ import annotations

import functools
from decimal import ROUND_HALF_UP, Context as DecimalContext, Decimal
from fractions import Fraction

from ..money import decimal_text

ZERO = Fraction(0)
TEN_THOUSANDTH = Decimal("0.0001")
_SHOWN = DecimalContext(prec=34, rounding=ROUND_HALF_UP)


@functools.lru_cache(maxsize=4096)
def exact_figure(value: Decimal) -> Fraction:
    """A contract figure (threshold, points) as a Fraction, converted once per distinct value."""
    return Fraction(value)


def as_decimal(value: Fraction) -> Decimal:
    """An exact value as a Decimal of 34 significant digits (half up): for display only."""
    if value.denominator == 1:
        return Decimal(value.numerator)
    return _SHOWN.divide(Decimal(value.numerator), Decimal(value.denominator))


def as_decimal_quotient(numerator, denominator) -> Decimal:
    """numerator / denominator as :func:`as_decimal` shows it."""
    return _SHOWN.divide(Decimal(numerator), Decimal(denominator))


def shown_value(value):
    """A detail as plain data: numbers as decimal strings (exact values to 34 digits)."""
    if isinstance(value, Fraction):
        return decimal_text(as_decimal(value))
    return decimal_text(value) if isinstance(value, Decimal) else value


class Outcome:
    """What a node computed: ``exact`` points (a Fraction, unrounded, within 0..maximum; None when
    they cannot be computed), an ``account`` of how, its children's outcomes, what data was
    missing, and the figures it used. The account is written only when someone reads it: a
    national run makes millions of outcomes and reads none of their accounts."""

    __slots__ = ("exact", "_account", "children", "missing", "details", "_shown")

    def __init__(self, exact: Fraction | None, account, children: tuple = (), missing: tuple = (),
                 details: dict | None = None, shown: Decimal | None = None):
        self.exact = exact
        self._shown = shown  # the value as the data wrote it ("12.00"), where it came from there
        self._account = account  # a str, or a function that writes it
        self.children = children
        self.missing = missing
        self.details = details or {}

    @property
    def points(self) -> Decimal | None:
        """The points as a Decimal (34 significant digits), for display."""
        if self._shown is not None:
            return self._shown
        return None if self.exact is None else as_decimal(self.exact)

    @property
    def account(self) -> str:
        if callable(self._account):
            self._account = self._account()
        return self._account

    def with_missing(self, extra: str) -> "Outcome":
        return Outcome(self.exact, self._account, self.children, self.missing + (extra,), self.details, self._shown)

    def to_plain(self) -> dict:
        out = {"points": decimal_text(self.points), "account": self.account}
        if self.details:
            out["details"] = {k: shown_value(v) for k, v in self.details.items()}
        if self.missing:
            out["missing"] = list(self.missing)
        if self.children:
            out["children"] = [c.to_plain() for c in self.children]
        return out


class Node:
    """A node of a rule's basis: what it is (its candidates, its figures). What it computes is
    its column form (:mod:`.vectorised`); what it says it did, its trace (:mod:`.trace`)."""

    def prior_years(self) -> set[str]:
        return set()


class AchievementNode(Node):
    """Points for actual achievement: this year's measures, or an earlier year's achieved points.

    For an earlier year, ``lookups`` (made by the compiler from contracts/codechanges.py) gives
    each indicator's code in that year: the code the data is read under, or that the indicator
    is new since then, which is missing data, never 0 points."""

    def __init__(self, year: str | None, lookups: dict | None = None):
        self.year = year
        self.lookups = lookups or {}


    def prior_years(self) -> set[str]:
        return {self.year} if self.year else set()

    def lookup(self, code: str, contract_year: str):
        """Where ``code`` is found in this node's year (the same code where nothing is recorded)."""
        found = self.lookups.get(code)
        if found is None:
            from ..contracts.codechanges import Lookup
            found = Lookup(contract_year, code, self.year, code)
        return found


class FullPointsNode(Node):
    """``full points``: the indicator's maximum."""


class NoPointsNode(Node):
    """``no points``."""


class FixedPointsNode(Node):
    def __init__(self, points: Decimal):
        self.points = points


class _Composite(Node):
    def __init__(self, items: list[Node]):
        self.items = items


    def prior_years(self) -> set[str]:
        return set().union(*(i.prior_years() for i in self.items))


class ChoiceNode(_Composite):
    """``higher of`` / ``lower of``: the best (or worst) of the candidates that could be computed.

    A candidate with missing data is left out and named; only if none can be computed is the
    outcome missing. (Averages, below, need every candidate.)
    """

    def __init__(self, items: list[Node], highest: bool):
        super().__init__(items)
        self.highest = highest


class AverageNode(_Composite):
    """``average of``: every candidate is needed."""


class PercentNode(Node):
    def __init__(self, percent: Decimal, item: Node):
        self.percent, self.item = percent, item


    def prior_years(self) -> set[str]:
        return self.item.prior_years()


class SumNode(_Composite):
    """``sum of``: the candidates' points added, capped at the maximum; every candidate is needed."""


class OnceLowerPassedNode(Node):
    """``N points once lower threshold passed``: N points (capped at the maximum) where this year's
    achievement is above the lower threshold, none at or below it. A zero denominator scores as
    the year's zero-denominator rule says for the whole indicator (full points: N; else none)."""

    def __init__(self, points: Decimal):
        self.points = points


def choice_number(raw: str | None, count: int) -> int | None:
    """The candidate a practice chose (1-based), from its attribute as the data writes it ('2'),
    or None where the attribute is empty or names no candidate: the one reading of a practice's
    choice (the engine reads it with ``count`` 999 for every ``practice choice`` at once, and each
    node then takes a number beyond its own candidates as naming none)."""
    text = (raw or "").strip()
    if not text.isdigit() or len(text) > 3:
        return None
    number = int(text)
    return number if 1 <= number <= count else None


class PracticeChoiceNode(_Composite):
    """``practice choice NAME of (A, B, ...)``: the candidate the practice's attribute NAME names.
    No default: a practice whose choice is not recorded has its points unknown."""

    def __init__(self, attribute: str, items: list[Node]):
        super().__init__(items)
        self.attribute = attribute
