"""The evaluation tree's basis nodes: each computes an indicator's points and records how.

A node's :class:`Outcome` carries the unrounded points, a one-line account of the computation
with the numbers filled in, its children's outcomes, and what data was missing. The explanation
a user reads is this record, made while computing — not a second calculation that could differ.

Points are exact: nodes compute with :class:`fractions.Fraction`, so a value that is exactly a
half at the second decimal place (7.625 points: 18 × (82/144 × 100 − 40) / 40) is one, and rounds
up as the rule says. (Working in 34-digit decimals instead, 82/144 × 100 is stored a little short,
and 7.625 came out as 7.62499…, rounding down.) ``Outcome.points`` gives the value as a Decimal of
34 significant digits, for people to read; arithmetic and rounding use ``Outcome.exact``.

Missing data is never a silent zero (docs/evaluation.md, "Missing data"): an outcome whose
``points`` is None says what was missing, and the nodes above decide what that means.
"""
from __future__ import annotations

import functools
from decimal import ROUND_HALF_UP, Context as DecimalContext, Decimal
from fractions import Fraction

from ..contracts.model import ContractYear, Indicator
from ..data.model import Practice
from ..money import CENT, decimal_text

HUNDRED = Fraction(100)
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


class Context:
    """What a node may look at: one practice, one indicator, the contract year — and the
    national-rules outcome for this indicator, once computed, so that ``achievement`` inside a
    scheme's basis reuses it instead of computing it again."""

    __slots__ = ("practice", "indicator", "contract", "maximum", "national")

    def __init__(self, practice: Practice, indicator: Indicator, contract: ContractYear,
                 maximum: Fraction | None = None):
        self.practice, self.indicator, self.contract = practice, indicator, contract
        self.maximum = Fraction(indicator.points.value) if maximum is None else maximum
        self.national: Outcome | None = None


def _clamp(points: Fraction, maximum: Fraction) -> Fraction:
    return min(max(points, ZERO), maximum)


class Node:
    label = ""

    def evaluate(self, ctx: Context) -> Outcome:  # pragma: no cover - abstract
        raise NotImplementedError

    def uses_current_achievement(self) -> bool:
        return False

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

    def uses_current_achievement(self) -> bool:
        return self.year is None

    def prior_years(self) -> set[str]:
        return {self.year} if self.year else set()

    def evaluate(self, ctx: Context) -> Outcome:
        if self.year is not None:
            return self._prior(ctx)
        if ctx.national is None:
            ctx.national = current_achievement(ctx)
        return ctx.national

    def lookup(self, code: str, contract_year: str):
        """Where ``code`` is found in this node's year (the same code where nothing is recorded)."""
        found = self.lookups.get(code)
        if found is None:
            from ..contracts.codechanges import Lookup
            found = Lookup(contract_year, code, self.year, code)
        return found

    def _prior(self, ctx: Context) -> Outcome:
        code, year = ctx.indicator.code, self.year
        found = self.lookup(code, ctx.contract.year)
        if found.is_new:
            return Outcome(None, lambda: f"achievement in {year}: {found.account()}", missing=(found.new_message(),),
                           details={"year": year, "new_since": found.steps[-1].year if found.steps else None})
        read = found.earlier_code
        measures = ctx.practice.measures(year, read)
        details = {"year": year, "code_read": read}
        if measures is None or measures.achieved_points is None:
            return Outcome(None, lambda: f"achievement in {year}: no achieved points for {read} in the data "
                                         f"({found.account()})", missing=(found.missing_points(),), details=details)
        points = measures.achieved_points
        capped = _clamp(Fraction(points), ctx.maximum)
        note = f", capped at this year's maximum {ctx.maximum}" if capped != points else ""
        details["achieved_points"] = points
        return Outcome(capped, lambda: f"achievement in {year}: {points} points achieved{note} ({found.account()})",
                       details=details, shown=points if capped == points else None)


def percent_above(numerator: int, denominator: int, threshold: Fraction) -> bool:
    """Whether numerator/denominator (a count, not yet a percentage) is above ``threshold``%."""
    return numerator * 100 * threshold.denominator > threshold.numerator * denominator


def current_achievement(ctx: Context) -> Outcome:
    """The national formula: register indicators score in full; fraction indicators by thresholds."""
    indicator, contract = ctx.indicator, ctx.contract
    year = contract.year
    measures = ctx.practice.measures(year, indicator.code)
    maximum = ctx.maximum
    if indicator.is_register:
        if measures is None or measures.register is None:
            return Outcome(None, lambda: f"register of {indicator.code} not reported for {year}",
                           missing=(f"{year} REGISTER of {indicator.code}",))
        return Outcome(maximum, lambda: f"register kept ({measures.register} patients): full {maximum} points",
                       details={"register": measures.register})
    if measures is None or measures.numerator is None or measures.denominator is None:
        return Outcome(None, lambda: f"{indicator.code} achievement not reported for {year}",
                       missing=(f"{year} NUMERATOR/DENOMINATOR of {indicator.code}",))
    lower, upper = indicator.lower.value, indicator.upper.value
    details = {"numerator": measures.numerator, "denominator": measures.denominator,
               "exceptions": measures.exceptions, "lower": lower, "upper": upper, "maximum": as_decimal(maximum)}
    if measures.denominator == 0:
        rule = contract.zero_denominator.value
        points = maximum if rule == "full-points" else ZERO
        return Outcome(points, lambda: f"denominator 0: the year's rule gives {rule.replace('-', ' ')}", details=details)
    exact_percent = Fraction(measures.numerator * 100, measures.denominator)
    details["achievement_percent"] = exact_percent  # shown as a Decimal where it is shown

    def shown() -> str:
        return f"{measures.numerator}/{measures.denominator} = {as_decimal(exact_percent).quantize(CENT)}%"

    # The upper threshold is tested first: where the two are one (a local indicator's target),
    # reaching it pays in full. Where they differ the order changes nothing.
    if exact_percent >= upper:
        word = "target" if lower == upper else "upper threshold"
        return Outcome(maximum, lambda: f"{shown()}, at or above the {word} {upper}%: full {maximum} points",
                       details=details)
    if exact_percent <= lower:
        if lower == upper:
            return Outcome(ZERO, lambda: f"{shown()}, below the target {lower}%: 0 points", details=details)
        return Outcome(ZERO, lambda: f"{shown()}, at or below the lower threshold {lower}%: 0 points", details=details)
    low, high = exact_figure(lower), exact_figure(upper)
    # maximum × (100n/d − L) / (U − L) as one fraction of whole numbers (one reduction, not five).
    n, d = measures.numerator, measures.denominator
    points = Fraction(maximum.numerator * (n * 100 * low.denominator - low.numerator * d) * high.denominator,
                      maximum.denominator * d * (high.numerator * low.denominator - low.numerator * high.denominator))
    return Outcome(points, lambda: f"{shown()}: {maximum} × ({as_decimal(exact_percent).quantize(CENT)} − {lower}) / "
                           f"({upper} − {lower}) = {as_decimal(points).quantize(TEN_THOUSANDTH)} points", details=details)


class FullPointsNode(Node):
    def evaluate(self, ctx: Context) -> Outcome:
        return Outcome(ctx.maximum, lambda: f"full points: {ctx.maximum}")


class NoPointsNode(Node):
    def evaluate(self, ctx: Context) -> Outcome:
        return Outcome(ZERO, "no points")


class FixedPointsNode(Node):
    def __init__(self, points: Decimal):
        self.points = points

    def evaluate(self, ctx: Context) -> Outcome:
        capped = _clamp(Fraction(self.points), ctx.maximum)
        note = f", capped at the maximum {ctx.maximum}" if capped != self.points else ""
        return Outcome(capped, lambda: f"{decimal_text(self.points)} points{note}",
                       shown=self.points if capped == self.points else None)


class _Composite(Node):
    def __init__(self, items: list[Node]):
        self.items = items

    def uses_current_achievement(self) -> bool:
        return any(i.uses_current_achievement() for i in self.items)

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

    def evaluate(self, ctx: Context) -> Outcome:
        outcomes = tuple([item.evaluate(ctx) for item in self.items])
        highest = self.highest
        word = "higher" if highest else "lower"
        best, index, skipped, shown = None, 0, [], None
        for number, outcome in enumerate(outcomes, start=1):
            points = outcome.exact
            if points is None:
                skipped.append(number)
            elif best is None or (points > best if highest else points < best):
                best, index, shown = points, number, outcome.points
        if best is None:
            missing = tuple(m for o in outcomes for m in o.missing)
            return Outcome(None, lambda: f"{word} of: no candidate could be computed", outcomes, missing)

        def account() -> str:
            note = f"; candidate(s) {', '.join(map(str, skipped))} left out for missing data" if skipped else ""
            return f"{word} of {len(outcomes)}: candidate {index} ({shown} points){note}"

        return Outcome(best, account, outcomes, details={"chosen": index, "left_out": skipped}, shown=shown)


class AverageNode(_Composite):
    def evaluate(self, ctx: Context) -> Outcome:
        outcomes = tuple(item.evaluate(ctx) for item in self.items)
        if any(o.exact is None for o in outcomes):
            missing = tuple(m for o in outcomes for m in o.missing)
            return Outcome(None, "average of: every candidate is needed and some could not be computed",
                           outcomes, missing)
        points = sum((o.exact for o in outcomes), ZERO) / len(outcomes)
        return Outcome(points, lambda: f"average of {len(outcomes)}: {as_decimal(points).quantize(TEN_THOUSANDTH)} points",
                       outcomes)


class PercentNode(Node):
    def __init__(self, percent: Decimal, item: Node):
        self.percent, self.item = percent, item

    def uses_current_achievement(self) -> bool:
        return self.item.uses_current_achievement()

    def prior_years(self) -> set[str]:
        return self.item.prior_years()

    def evaluate(self, ctx: Context) -> Outcome:
        inner = self.item.evaluate(ctx)
        if inner.exact is None:
            return Outcome(None, lambda: f"{decimal_text(self.percent)}% of: not computable", (inner,), inner.missing)
        points = _clamp(inner.exact * Fraction(self.percent) / HUNDRED, ctx.maximum)
        return Outcome(points, lambda: f"{decimal_text(self.percent)}% of {shown_value(inner.points)} = {decimal_text(as_decimal(points))} points", (inner,))


class SumNode(_Composite):
    """``sum of``: the candidates' points added, capped at the maximum; every candidate is needed."""

    def evaluate(self, ctx: Context) -> Outcome:
        outcomes = tuple(item.evaluate(ctx) for item in self.items)
        if any(o.exact is None for o in outcomes):
            missing = tuple(m for o in outcomes for m in o.missing)
            return Outcome(None, "sum of: every candidate is needed and some could not be computed", outcomes, missing)
        added = sum((o.exact for o in outcomes), ZERO)
        points = _clamp(added, ctx.maximum)
        note = f", capped at the maximum {ctx.maximum}" if points != added else ""
        return Outcome(points, lambda: f"sum of {len(outcomes)}: {as_decimal(points).quantize(TEN_THOUSANDTH)} "
                                       f"points{note}", outcomes)


class OnceLowerPassedNode(Node):
    """``N points once lower threshold passed``: N points (capped at the maximum) where this year's
    achievement is above the lower threshold, none at or below it. A zero denominator scores as
    the year's zero-denominator rule says for the whole indicator (full points: N; else none)."""

    def __init__(self, points: Decimal):
        self.points = points

    def uses_current_achievement(self) -> bool:
        return True

    def evaluate(self, ctx: Context) -> Outcome:
        indicator, year = ctx.indicator, ctx.contract.year
        paid = _clamp(Fraction(self.points), ctx.maximum)
        shown = decimal_text(as_decimal(paid))
        if not indicator.is_fraction:  # the check refuses this where the year says the kind (QR411)
            return Outcome(None, lambda: f"{indicator.code} has no lower threshold to pass",
                           missing=(f"a lower threshold of {indicator.code}, which is not a fraction indicator",))
        measures = ctx.practice.measures(year, indicator.code)
        if measures is None or measures.numerator is None or measures.denominator is None:
            return Outcome(None, lambda: f"{indicator.code} achievement not reported for {year}",
                           missing=(f"{year} NUMERATOR/DENOMINATOR of {indicator.code}",))
        lower = indicator.lower.value
        if measures.denominator == 0:
            full = ctx.contract.zero_denominator.value == "full-points"
            return Outcome(paid if full else ZERO, lambda: f"denominator 0: {shown if full else 0} points by the "
                           "year's zero-denominator rule")
        n, d = measures.numerator, measures.denominator
        if percent_above(n, d, exact_figure(lower)):
            return Outcome(paid, lambda: f"{n}/{d} is above the lower threshold {lower}%: {shown} points")
        return Outcome(ZERO, lambda: f"{n}/{d} is not above the lower threshold {lower}%: 0 points")


def choice_number(raw: str | None, count: int) -> int | None:
    """The candidate a practice chose (1-based), from its attribute as the data writes it ('2'),
    or None where the attribute is empty or names no candidate. Both evaluation paths read a
    practice's choice through this one function."""
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

    def evaluate(self, ctx: Context) -> Outcome:
        name = self.attribute.lower()
        raw = ctx.practice.attributes.get(name, "")
        number = choice_number(raw, len(self.items))
        if number is None:
            return Outcome(None, lambda: f"practice choice {self.attribute}: '{raw}' names none of the "
                           f"{len(self.items)} candidates", missing=(f"practice attribute {self.attribute} (its choice: "
                                                                    f"1 to {len(self.items)})",))
        inner = self.items[number - 1].evaluate(ctx)
        if inner.exact is None:
            return Outcome(None, lambda: f"practice choice {self.attribute}: candidate {number}, not computable",
                           (inner,), inner.missing, details={"chosen": number})
        return Outcome(inner.exact, lambda: f"practice choice {self.attribute}: candidate {number} "
                       f"({shown_value(inner.points)} points)", (inner,), details={"chosen": number}, shown=inner.points)
